// DHCP option 121 (RFC 3442): each route is a width byte, the significant octets of the
// destination, then the 4-byte router. Shared by the dnsmasq, ISC dhcpd and Kea formats.

import { parseIpAddress, parsePrefix } from 'minilb-server';

export interface ClasslessRoute {
  cidr: string; // IPv4 network/length
  router: string; // IPv4 next hop
}

export function encodeClasslessRoute(route: ClasslessRoute): Uint8Array {
  const parsed = parsePrefix(route.cidr);
  const router = parseIpAddress(route.router);
  if (!parsed || parsed.prefix.family !== 4 || parsed.hostBitsSet) {
    throw new Error(`option 121 needs an IPv4 network, not ${route.cidr}`);
  }
  if (!router || router.family !== 4) throw new Error(`option 121 needs an IPv4 router, not ${route.router}`);
  const { bytes, length } = parsed.prefix;
  // RFC 3442 section 3: only ceil(width / 8) octets of the destination are sent.
  return Uint8Array.from([length, ...bytes.slice(0, Math.ceil(length / 8)), ...router.bytes]);
}

export function encodeClasslessRoutes(routes: readonly ClasslessRoute[]): Uint8Array {
  const parts = routes.map(encodeClasslessRoute);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// The largest value one DHCP option carries; longer values are split (RFC 3396), which most
// servers do for you but some clients do not reassemble.
export const maxOptionLength = 255;
