// Address-valued flags shared by several commands: a DNS server (--dns, corefile's --to) and a
// minilb HTTP base URL (--api). Checked up front so a typo never becomes a network call.

import { parseServerAddress } from '../inspect/live-dns-query.js';
import { single, usage } from './flag-values.js';

export function dnsServerFlag(flag: string, value: unknown, { portRequired = false } = {}): string | undefined {
  const text = single(flag, value);
  if (text === undefined) return undefined;
  let parsed;
  try {
    parsed = parseServerAddress(text);
  } catch {
    usage(`${flag} ${text}: give host:port (example: 127.0.0.1:5353)`);
  }
  if (!(parsed.port >= 1 && parsed.port <= 65535)) usage(`${flag} ${text}: the port must be 1-65535`);
  if (portRequired && !/:\d+$/.test(text)) usage(`${flag} ${text}: give host:port (example: 127.0.0.1:5353)`);
  if (!/^[A-Za-z0-9.:-]+$/.test(parsed.host)) usage(`${flag} ${text}: "${parsed.host}" is not an IP address or host name`);
  return text;
}

export function httpUrlFlag(flag: string, value: unknown): string | undefined {
  const text = single(flag, value);
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) usage(`${flag} ${text}: give the server's http://host:port`);
  return text;
}
