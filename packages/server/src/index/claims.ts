// A claim: one object saying "this hostname (or wildcard) points at these targets".
// Precedence between claims on one name is decided here and nowhere else.

import type { ObjectRef, RouteKind } from './cluster-objects.js';

export type ClaimKind = 'Service' | 'annotation' | 'Ingress' | RouteKind;

export type Target = { service: string } | { ip: string } | { hostname: string };

export interface ClaimSource {
  kind: ClaimKind;
  namespace: string;
  name: string;
  creationTimestamp: string;
  via: string | undefined; // e.g. "Gateway web/public" for a route
}

export interface Claim {
  name: string; // the exact name, or for a wildcard the suffix after "*."
  wildcard: 'none' | 'one-label' | 'any-depth';
  source: ClaimSource;
  targets: Target[];
}

// Lower ranks win; the Service's own name comes first since nothing else should shadow it.
const kindRank: Record<ClaimKind, number> = {
  Service: 0,
  annotation: 1,
  Ingress: 2,
  HTTPRoute: 3,
  GRPCRoute: 4,
  TLSRoute: 5,
};

export function compareClaims(x: Claim, y: Claim): number {
  return (
    kindRank[x.source.kind] - kindRank[y.source.kind] ||
    compareTimestamps(x.source.creationTimestamp, y.source.creationTimestamp) ||
    x.source.namespace.localeCompare(y.source.namespace) ||
    x.source.name.localeCompare(y.source.name)
  );
}

function compareTimestamps(x: string, y: string): number {
  // Unknown timestamps sort last: an object we know the age of is the older one.
  if (x === y) return 0;
  if (!x) return 1;
  if (!y) return -1;
  return Date.parse(x) - Date.parse(y) || x.localeCompare(y);
}

// The object behind a claim: a minilb/host name is claimed by its Service.
export function claimOwner(claim: Claim): ObjectRef {
  const { kind, namespace, name } = claim.source;
  return { kind: kind === 'annotation' ? 'Service' : kind, namespace, name };
}

export function describeClaim(claim: Claim): string {
  const s = claim.source;
  const what = s.kind === 'annotation' ? 'Service (minilb/host)' : s.kind;
  const shown = claim.wildcard === 'none' ? claim.name : `*.${claim.name}`;
  return `${what} ${s.namespace}/${s.name} claims ${shown}${s.via ? ` via ${s.via}` : ''}`;
}

// Why `loser` lost to `winner` on the same name, in the user's terms.
export function lossReason(winner: Claim, loser: Claim): string {
  if (winner.source.kind !== loser.source.kind) return `${winner.source.kind} takes precedence over ${loser.source.kind}`;
  if (winner.source.creationTimestamp !== loser.source.creationTimestamp) return 'an older object claims the name';
  return 'same kind and age: namespace/name order decides';
}
