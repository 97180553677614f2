// What the option 121 formats share: only IPv4 routes fit, and the default route must be added
// because a client that accepts option 121 ignores the router option (RFC 3442, section 3).

import type { PodRoute } from 'minilb-server';
import { maxOptionLength, encodeClasslessRoutes, type ClasslessRoute } from './classless-static-routes.js';

export interface DhcpRoutes {
  routes: ClasslessRoute[]; // pod routes in order, then 0.0.0.0/0 via the default gateway
  bytes: Uint8Array;
  notes: string[]; // for stderr
}

export function dhcpRoutes(routes: readonly PodRoute[], defaultGateway: string): DhcpRoutes {
  const notes: string[] = [];
  const v6 = routes.filter((r) => r.family === 6);
  if (v6.length > 0) {
    notes.push(
      `DHCP option 121 carries IPv4 routes only; left out ${v6.length} IPv6 route(s) (${v6.map((r) => r.cidr).join(', ')}): ` +
        'add those on the router instead (--format ip, uci or routeros).',
    );
  }
  const classless: ClasslessRoute[] = [
    ...routes.filter((r) => r.family === 4).map((r) => ({ cidr: r.cidr, router: r.via })),
    { cidr: '0.0.0.0/0', router: defaultGateway },
  ];
  const bytes = encodeClasslessRoutes(classless);
  if (bytes.length > maxOptionLength) {
    notes.push(
      `option 121 is ${bytes.length} bytes, more than the ${maxOptionLength} one option holds: the server splits it (RFC 3396), ` +
        'and clients that do not reassemble split options will ignore it.',
    );
  }
  return { routes: classless, bytes, notes };
}
