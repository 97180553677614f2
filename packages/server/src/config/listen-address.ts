// Parses the Go-style listen addresses the flags take: ":53", "127.0.0.1:5353", "[::1]:53".

import { isIP } from 'node:net';

export interface ListenAddress {
  host: string | undefined; // undefined: every address, IPv4 and IPv6
  port: number;
}

export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not host:port (examples: ":53", "127.0.0.1:5353", "[::1]:53")`);
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`port ${port} in "${value}" is above 65535`);
  if (host !== '' && host !== 'localhost' && !isIP(host)) throw new Error(`"${host}" in "${value}" is not an IP address`);
  return { host: host === '' ? undefined : host === 'localhost' ? '127.0.0.1' : host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  const host = address.host === undefined ? '' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
