// `--format routeros`: MikroTik RouterOS commands, IPv4 under /ip route and IPv6 under
// /ipv6 route, each commented with its node so an operator can tell them apart.

import type { FormatInput, FormattedRoutes } from './format-input.js';

export function routerosFormat(input: FormatInput): FormattedRoutes {
  const lines: string[] = [];
  for (const [family, menu] of [
    [4, '/ip route'],
    [6, '/ipv6 route'],
  ] as const) {
    const routes = input.routes.filter((r) => r.family === family);
    if (routes.length === 0) continue;
    lines.push(menu);
    // Node names are DNS subdomains: nothing in them needs escaping inside double quotes.
    for (const r of routes) lines.push(`add dst-address=${r.cidr} gateway=${r.via} comment="minilb node ${r.node}"`);
  }
  return { text: lines.map((l) => `${l}\n`).join(''), notes: [] };
}
