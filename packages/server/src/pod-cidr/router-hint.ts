// The block the server prints at start-up so an operator can add the podCIDR routes to the LAN
// router by hand (the CLI's `minilb routes --format ip` prints the same command lines).

import type { TrimmedNode } from '../index/cluster-objects.js';
import { desiredRoutes, type RouteProblem } from './pod-cidr-routes.js';

export const routerHintHeading = 'Add the following routes to your default gateway (router):';

export function ipRouteAddLine(route: { cidr: string; via: string }): string {
  return `ip route add ${route.cidr} via ${route.via}`;
}

// The heading followed by one `ip route add` line per route; no lines at all when there is
// nothing to add, so a caller prints nothing rather than an empty heading.
export function routerHintLines(routes: readonly { cidr: string; via: string }[]): string[] {
  if (routes.length === 0) return [];
  return [routerHintHeading, ...routes.map((r) => ipRouteAddLine(r))];
}

// The whole start-up hint from the nodes: the lines to print on stdout and the problems to log
// (nodes without podCIDRs or without an InternalIP of the family), which must not go unsaid.
export function routerHint(nodes: readonly TrimmedNode[]): { lines: string[]; problems: RouteProblem[] } {
  const { routes, problems } = desiredRoutes(nodes);
  return { lines: routerHintLines(routes), problems };
}
