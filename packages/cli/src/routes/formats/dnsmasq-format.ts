// `--format dnsmasq`: one `dhcp-option=121,...` line (dnsmasq encodes RFC 3442 itself from
// CIDR and router pairs), default route included.

import { dhcpRoutes } from './dhcp-routes.js';
import type { FormatInput, FormattedRoutes } from './format-input.js';

export function dnsmasqFormat(input: FormatInput): FormattedRoutes {
  const { routes, notes } = dhcpRoutes(input.routes, input.defaultGateway!);
  const pairs = routes.map((r) => `${r.cidr},${r.router}`).join(',');
  return {
    text:
      '# minilb: podCIDR routes as DHCP option 121 (RFC 3442). The default route is included because\n' +
      '# clients that accept option 121 ignore the router option (3).\n' +
      `dhcp-option=121,${pairs}\n`,
    notes,
  };
}
