// Reads the `host:port` forms of -listen and -upstream: ':53' (every address), '127.0.0.1:5353',
// '[::1]:5353', and for upstreams a bare IP meaning port 53. Only IP literals: no resolver needed.

import { isIP, isIPv6 } from 'node:net';

export interface HostPort {
  host: string | undefined; // undefined: every local address, IPv4 and IPv6
  port: number;
}

// An -upstream server: always one address.
export interface UpstreamAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string): HostPort {
  const parsed = splitHostPort(text.trim());
  if (!parsed || parsed.port === undefined || (parsed.host !== '' && !isIP(parsed.host))) {
    throw new Error(`-listen: ${JSON.stringify(text)} is not [address]:port; use e.g. :53, 127.0.0.1:5353 or [::1]:5353`);
  }
  return { host: parsed.host === '' ? undefined : parsed.host, port: parsed.port };
}

export function parseUpstreamAddress(text: string): UpstreamAddress {
  const trimmed = text.trim();
  if (isIP(trimmed)) return { host: trimmed, port: 53 };
  const parsed = splitHostPort(trimmed);
  if (!parsed || parsed.port === 0 || !isIP(parsed.host)) {
    throw new Error(`-upstream: ${JSON.stringify(text)} is not an IP address with an optional port; use e.g. 192.168.1.1:53 or [fd00::1]:53`);
  }
  return { host: parsed.host, port: parsed.port ?? 53 };
}

function splitHostPort(text: string): { host: string; port: number | undefined } | undefined {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && !isIPv6(host)) return undefined;
  const port = Number(match[3]);
  return port <= 65535 ? { host, port } : undefined;
}

export function formatHostPort(address: HostPort | UpstreamAddress): string {
  const host = address.host === undefined ? '' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
