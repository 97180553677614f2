// Every claim the index holds, by name: exact names and wildcard suffixes, each list ordered
// winner first, the empty non-terminals the claimed names imply, and the counts the metrics read.

import { compareClaims, type Claim, type ClaimKind, type Target } from './claims.js';
import { isInZone } from './hostnames.js';
import { ServedDomains } from './served-domains.js';

// The names strictly between `name` and the zone apex: the empty non-terminals it implies.
function parentNames(name: string, zone: string): string[] {
  const out: string[] = [];
  let rest = name;
  for (;;) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
    if (rest === zone || !isInZone(rest, zone)) break;
    out.push(rest);
  }
  return out;
}

function sameTarget(x: Target, y: Target): boolean {
  if ('service' in x) return 'service' in y && x.service === y.service;
  if ('ip' in x) return 'ip' in y && x.ip === y.ip;
  return 'hostname' in y && x.hostname === y.hostname;
}

function sameClaim(x: Claim, y: Claim): boolean {
  const a = x.source;
  const b = y.source;
  return (
    x.name === y.name &&
    x.wildcard === y.wildcard &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.creationTimestamp === b.creationTimestamp &&
    a.via === b.via &&
    x.targets.length === y.targets.length &&
    x.targets.every((t, i) => sameTarget(t, y.targets[i]!))
  );
}

function sameClaims(x: readonly Claim[], y: readonly Claim[]): boolean {
  return x.length === y.length && x.every((c, i) => sameClaim(c, y[i]!));
}

export class ClaimTable {
  private readonly byObject = new Map<string, Claim[]>();
  private readonly exact = new Map<string, Claim[]>();
  private readonly wildcards = new Map<string, Claim[]>();
  private readonly emptyNonTerminals = new Map<string, number>();
  private readonly counts = new Map<ClaimKind, number>();
  private conflictedNames = 0;
  // Exact names claimed outside the zone, each the apex of its own zone.
  readonly outsideZone = new ServedDomains();

  constructor(private readonly zone: string) {}

  // Replaces what one object (by objectKey) claims. The same claims again (an object changed in a
  // field that claims nothing, as most objects of a reloaded manifest do) change nothing here.
  set(objectKey: string, claims: Claim[]): void {
    const before = this.byObject.get(objectKey);
    if (before && sameClaims(before, claims)) return;
    for (const claim of before ?? []) this.removeClaim(claim);
    if (claims.length > 0) this.byObject.set(objectKey, claims);
    else this.byObject.delete(objectKey);
    for (const claim of claims) this.addClaim(claim);
  }

  ofObject(objectKey: string): Claim[] {
    return this.byObject.get(objectKey) ?? [];
  }

  // The claims on a name, winner first: exact first, then the longest matching wildcard.
  matching(name: string): Claim[] | undefined {
    const exact = this.exact.get(name);
    if (exact) return exact;
    if (this.emptyNonTerminals.has(name)) return undefined; // an existing name is never wildcard-matched
    let rest = name;
    for (let depth = 1; ; depth++) {
      const dot = rest.indexOf('.');
      if (dot < 0) return undefined;
      rest = rest.slice(dot + 1);
      const list = this.wildcards.get(rest)?.filter((c) => c.wildcard === 'any-depth' || depth === 1);
      if (list && list.length > 0) return list;
    }
  }

  // The winning claim on exactly this name (no wildcard).
  exactWinner(name: string): Claim | undefined {
    return this.exact.get(name)?.[0];
  }

  isEmptyNonTerminal(name: string): boolean {
    return this.emptyNonTerminals.has(name);
  }

  // Every claim on the same name as `claim`, the winner first.
  rivalsOf(claim: Claim): readonly Claim[] {
    return (claim.wildcard === 'none' ? this.exact : this.wildcards).get(claim.name) ?? [];
  }

  // Names claimed by more than one object, each list winner first.
  conflicts(): Claim[][] {
    return [...this.exact.values(), ...this.wildcards.values()].filter((list) => list.length > 1).map((l) => [...l]);
  }

  // Every claimed name, wildcards written "*.suffix".
  names(): string[] {
    return [...this.exact.keys(), ...[...this.wildcards.keys()].map((n) => `*.${n}`)].sort();
  }

  stats(): { claims: Record<string, number>; conflicts: number } {
    return { claims: Object.fromEntries(this.counts), conflicts: this.conflictedNames };
  }

  private impliedNames(claim: Claim): string[] {
    if (!isInZone(claim.name, this.zone)) return [];
    const parents = parentNames(claim.name, this.zone);
    return claim.wildcard === 'none' || claim.name === this.zone ? parents : [claim.name, ...parents];
  }

  private addClaim(claim: Claim): void {
    const map = claim.wildcard === 'none' ? this.exact : this.wildcards;
    const list = map.get(claim.name) ?? [];
    const at = list.findIndex((c) => compareClaims(claim, c) < 0);
    if (at < 0) list.push(claim);
    else list.splice(at, 0, claim);
    map.set(claim.name, list);
    if (list.length === 2) this.conflictedNames++;
    this.counts.set(claim.source.kind, (this.counts.get(claim.source.kind) ?? 0) + 1);
    for (const name of this.impliedNames(claim)) this.emptyNonTerminals.set(name, (this.emptyNonTerminals.get(name) ?? 0) + 1);
    if (claim.wildcard === 'none' && !isInZone(claim.name, this.zone)) this.outsideZone.add(claim.name);
  }

  private removeClaim(claim: Claim): void {
    const map = claim.wildcard === 'none' ? this.exact : this.wildcards;
    const list = map.get(claim.name);
    if (list) {
      const at = list.indexOf(claim);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 1) this.conflictedNames--;
      if (list.length === 0) map.delete(claim.name);
    }
    this.counts.set(claim.source.kind, (this.counts.get(claim.source.kind) ?? 1) - 1);
    for (const name of this.impliedNames(claim)) {
      const count = (this.emptyNonTerminals.get(name) ?? 1) - 1;
      if (count > 0) this.emptyNonTerminals.set(name, count);
      else this.emptyNonTerminals.delete(name);
    }
    if (claim.wildcard === 'none' && !isInZone(claim.name, this.zone)) this.outsideZone.remove(claim.name);
  }
}
