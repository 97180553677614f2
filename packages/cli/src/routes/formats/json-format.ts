// `--format json`: the routes and the problems found, for scripts; keys in a fixed order.

import type { FormatInput, FormattedRoutes } from './format-input.js';

export function jsonFormat(input: FormatInput): FormattedRoutes {
  const doc = {
    routes: input.routes.map((r) => ({ node: r.node, family: r.family === 4 ? 'IPv4' : 'IPv6', cidr: r.cidr, via: r.via })),
    problems: input.problems.map((p) => ({ node: p.node, message: p.message })),
  };
  return { text: `${JSON.stringify(doc, null, 2)}\n`, notes: [] };
}
