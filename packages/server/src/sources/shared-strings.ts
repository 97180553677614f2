// One copy of each repeated string in the objects that arrive from the parse worker. A structured
// clone keeps no identity for strings, so 24,000 Services would each bring their own "load",
// "TCP", "http", "LoadBalancer" and node names: a third of what a reload allocates on the DNS
// thread. Everything a reload allocates there and keeps is copied by the garbage collector, in
// pauses that delay answers; sharing the repeats makes those pauses shorter and the index smaller.

const longest = 64; // longer strings (messages, long hostnames) rarely repeat
const cap = 20_000; // bounded: past this many distinct strings the table starts again

export class SharedStrings {
  private table = new Map<string, string>();

  // Replaces, in place, every string in `value` (plain objects and arrays, as a structured clone
  // makes them) with the first copy this table saw. Returns `value`.
  share<T>(value: T): T {
    this.visit(value as unknown);
    return value;
  }

  private one(text: string): string {
    if (text.length > longest) return text;
    const known = this.table.get(text);
    if (known !== undefined) return known;
    if (this.table.size >= cap) this.table = new Map();
    this.table.set(text, text);
    return text;
  }

  private visit(value: unknown): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string') value[i] = this.one(item);
        else if (typeof item === 'object' && item !== null) this.visit(item);
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'string') record[key] = this.one(item);
      else if (typeof item === 'object' && item !== null) this.visit(item);
    }
  }
}
