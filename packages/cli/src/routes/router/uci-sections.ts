// Names and contents of the UCI sections minilb owns on OpenWrt (`network.minilb_<node>_v4`):
// the section name is the record of ownership there, so it must be stable and collision-free.

import type { IpFamily, PodRoute, RouteProblem } from 'minilb-server';
import { shellQuote, singleQuoted } from './shell-quote.js';

export const uciSectionPrefix = 'minilb_';

// UCI section names allow [A-Za-z0-9_] only; node names are DNS subdomains ([a-z0-9.-]).
export function uciSectionName(node: string, family: IpFamily): string {
  return `${uciSectionPrefix}${node.replace(/[^A-Za-z0-9_]/g, '_')}_v${family}`;
}

export function uciSectionType(family: IpFamily): 'route' | 'route6' {
  return family === 4 ? 'route' : 'route6';
}

export interface UciRoute {
  section: string;
  route: PodRoute;
}

// Gives each route its section; two nodes whose names map to one section ('a-b' and 'a.b')
// cannot both be recorded, so both are reported and left out rather than one overwriting the other.
export function assignUciSections(routes: readonly PodRoute[]): { routes: UciRoute[]; problems: RouteProblem[] } {
  const bySection = new Map<string, PodRoute[]>();
  for (const route of routes) {
    const section = uciSectionName(route.node, route.family);
    bySection.set(section, [...(bySection.get(section) ?? []), route]);
  }
  const out: UciRoute[] = [];
  const problems: RouteProblem[] = [];
  for (const route of routes) {
    const section = uciSectionName(route.node, route.family);
    const same = bySection.get(section)!;
    if (same.length === 1) {
      out.push({ section, route });
    } else {
      const names = [...new Set(same.map((r) => r.node))].join(', ');
      problems.push({
        node: route.node,
        message: `nodes ${names} all map to UCI section ${section}; route ${route.cidr} of node ${route.node} skipped`,
      });
    }
  }
  return { routes: out, problems };
}

export interface UciRouteOptions {
  interface: string; // the logical OpenWrt interface the next hops are on ('lan')
  proto: number;
}

// The `uci` argument lists that create one section, in the order OpenWrt's documentation
// writes them. A section is set whole so that a changed one never keeps stale options.
export function uciSetArgs(entry: UciRoute, options: UciRouteOptions): string[][] {
  const key = `network.${entry.section}`;
  return [
    ['set', `${key}=${uciSectionType(entry.route.family)}`],
    ['set', `${key}.interface=${options.interface}`],
    ['set', `${key}.target=${entry.route.cidr}`],
    ['set', `${key}.gateway=${entry.route.via}`],
    ['set', `${key}.proto=${options.proto}`],
  ];
}

export function uciDeleteArgs(section: string): string[] {
  return ['delete', `network.${section}`];
}

// One uci call as a shell line, values in single quotes as OpenWrt's documentation writes them.
export function uciCommandLine(args: readonly string[]): string {
  return ['uci', ...args.map(uciWord)].join(' ');
}

function uciWord(arg: string): string {
  const eq = arg.indexOf('=');
  // `network.x=route` (a section type) stays bare; an option value is always quoted.
  if (eq < 0 || arg.slice(0, eq).split('.').length < 3) return shellQuote(arg);
  return `${shellQuote(arg.slice(0, eq + 1))}${singleQuoted(arg.slice(eq + 1))}`;
}
