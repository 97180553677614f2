// `--format kea`: an option-data entry for kea-dhcp4. The value is the RFC 3442 encoding in hex
// with csv-format false, which every Kea version accepts whether or not it knows option 121 by name.

import { dhcpRoutes } from './dhcp-routes.js';
import type { FormatInput, FormattedRoutes } from './format-input.js';

export function keaFormat(input: FormatInput): FormattedRoutes {
  const { bytes, notes } = dhcpRoutes(input.routes, input.defaultGateway!);
  const hex = Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
  const entry = { code: 121, space: 'dhcp4', 'csv-format': false, data: hex };
  return {
    text:
      '// minilb: podCIDR routes as DHCP option 121 (RFC 3442), default route included because clients\n' +
      '// that accept option 121 ignore the routers option. Add this to the subnet4 "option-data" list:\n' +
      `${JSON.stringify(entry, null, 2)}\n`,
    notes,
  };
}
