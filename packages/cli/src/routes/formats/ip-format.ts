// `--format ip`: the `ip route add <cidr> via <ip>` lines, the same ones the server prints at
// start-up, ready to paste into a Linux router's shell.

import { ipRouteAddLine } from 'minilb-server';
import type { FormatInput, FormattedRoutes } from './format-input.js';

export function ipFormat(input: FormatInput): FormattedRoutes {
  return { text: input.routes.map((r) => `${ipRouteAddLine(r)}\n`).join(''), notes: [] };
}
