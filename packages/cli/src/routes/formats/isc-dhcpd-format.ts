// `--format isc-dhcpd`: ISC dhcpd has no built-in type for option 121, so it is declared as an
// array of bytes and the RFC 3442 encoding is written out, one route per group.

import { encodeClasslessRoute } from './classless-static-routes.js';
import { dhcpRoutes } from './dhcp-routes.js';
import type { FormatInput, FormattedRoutes } from './format-input.js';

export function iscDhcpdFormat(input: FormatInput): FormattedRoutes {
  const { routes, notes } = dhcpRoutes(input.routes, input.defaultGateway!);
  const groups = routes.map((r) => {
    const bytes = Array.from(encodeClasslessRoute(r));
    const width = bytes[0]!;
    const destination = bytes.slice(1, bytes.length - 4);
    const router = bytes.slice(bytes.length - 4);
    return [String(width), ...(destination.length > 0 ? [destination.join(',')] : []), router.join(',')].join(', ');
  });
  return {
    text:
      '# minilb: podCIDR routes as DHCP option 121 (RFC 3442), default route included because clients\n' +
      '# that accept option 121 ignore "option routers". Declare the option once at the top level:\n' +
      'option rfc3442-classless-static-routes code 121 = array of integer 8;\n' +
      '# then set it in the subnet (or globally):\n' +
      `option rfc3442-classless-static-routes ${groups.join(', ')};\n`,
    notes,
  };
}
