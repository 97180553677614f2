// A Map-backed NameIndex for the DNS tests: the real index's contract (found, nxdomain inside
// the zone, unknown outside, empty non-terminals found) without the Kubernetes objects.

import { emptyAnswers, type Answers, type Lookup, type NameIndex } from '../src/index/name-lookup.js';

export class MapNameIndex implements NameIndex {
  version = 1;
  private readonly names = new Map<string, Answers>();
  private readonly listeners: Array<() => void> = [];

  constructor(readonly zone: string) {}

  set(name: string, answers: Partial<Answers>): this {
    this.names.set(name, { ...emptyAnswers(), ...answers });
    this.changed();
    return this;
  }

  delete(name: string): this {
    this.names.delete(name);
    this.changed();
    return this;
  }

  lookup(name: string): Lookup {
    const answers = this.names.get(name);
    if (answers) return { kind: 'found', answers };
    const suffix = `.${name}`;
    for (const known of this.names.keys()) {
      if (known.endsWith(suffix)) return { kind: 'found', answers: emptyAnswers() };
    }
    return name === this.zone || name.endsWith(`.${this.zone}`) ? { kind: 'nxdomain' } : { kind: 'unknown' };
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
