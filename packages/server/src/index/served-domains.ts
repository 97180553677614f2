// Authority outside the zone: every exact hostname minilb serves there (an Ingress host, a
// route hostname, an annotation) is the apex of its own zone, so a name below one that nothing
// claims is NXDOMAIN with that apex's SOA; and the names between a served hostname and the
// domain a resolver forwards to minilb (apps.sko.ai for grafana.apps.sko.ai when sko.ai holds
// other served names) are empty non-terminals, NODATA, so QNAME minimisation (RFC 9156) walks
// down them without a REFUSED and its extra round trip.

export type OutsideLookup =
  | { kind: 'empty-non-terminal' } // exists without data; its own SOA
  | { kind: 'below'; apex: string } // no such name; NXDOMAIN with the apex's SOA
  | { kind: 'unknown' }; // not ours: relayed upstream or REFUSED

export class ServedDomains {
  private readonly served = new Map<string, number>();
  private nonTerminals: Set<string> | undefined;

  add(name: string): void {
    this.served.set(name, (this.served.get(name) ?? 0) + 1);
    this.nonTerminals = undefined;
  }

  remove(name: string): void {
    const count = (this.served.get(name) ?? 1) - 1;
    if (count > 0) this.served.set(name, count);
    else this.served.delete(name);
    this.nonTerminals = undefined;
  }

  has(name: string): boolean {
    return this.served.has(name);
  }

  // For a name outside the zone that no claim matched.
  lookup(name: string): OutsideLookup {
    if (this.served.size === 0) return { kind: 'unknown' };
    if (this.emptyNonTerminals().has(name)) return { kind: 'empty-non-terminal' };
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      const ancestor = name.slice(dot + 1);
      if (this.served.has(ancestor)) return { kind: 'below', apex: ancestor };
    }
    return { kind: 'unknown' };
  }

  // The forwarded domains are the parents of served names that have no ancestor among those
  // parents (sko.ai for mqtt.sko.ai and grafana.apps.sko.ai); they may hold real records
  // elsewhere, so they stay unknown. Every name strictly between one and a served name below it
  // is an empty non-terminal. Recomputed after a change, on the next lookup.
  private emptyNonTerminals(): Set<string> {
    if (this.nonTerminals) return this.nonTerminals;
    const parents = new Set<string>();
    for (const name of this.served.keys()) {
      const dot = name.indexOf('.');
      if (dot >= 0) parents.add(name.slice(dot + 1));
    }
    const result = new Set<string>();
    for (const name of this.served.keys()) {
      // Ancestors from the nearest up; the farthest one that is a parent is the forwarded domain.
      const ancestors: string[] = [];
      for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) ancestors.push(name.slice(dot + 1));
      let root = -1;
      for (let i = ancestors.length - 1; i >= 0; i--) {
        if (parents.has(ancestors[i]!)) {
          root = i;
          break;
        }
      }
      for (let i = 0; i < root; i++) if (!this.served.has(ancestors[i]!)) result.add(ancestors[i]!);
    }
    this.nonTerminals = result;
    return result;
  }
}
