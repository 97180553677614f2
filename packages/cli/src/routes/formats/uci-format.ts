// `--format uci`: the uci commands that record the routes as named sections on OpenWrt, the
// same sections `--apply` manages, so a pasted setup and an applied one are interchangeable.

import { assignUciSections, uciCommandLine, uciSetArgs } from '../router/uci-sections.js';
import type { FormatInput, FormattedRoutes } from './format-input.js';

export function uciFormat(input: FormatInput): FormattedRoutes {
  const { routes, problems } = assignUciSections(input.routes);
  const lines = routes.flatMap((entry) =>
    uciSetArgs(entry, { interface: input.uciInterface, proto: input.proto }).map(uciCommandLine),
  );
  if (lines.length > 0) lines.push('uci commit network', '/etc/init.d/network reload');
  return { text: lines.map((l) => `${l}\n`).join(''), notes: problems.map((p) => p.message) };
}
