// IP addresses and prefixes as bytes, in canonical text (RFC 5952 for IPv6), so that routes
// read from Kubernetes and from a router compare equal whatever way each side wrote them; and
// the 4 or 16 bytes of A and AAAA RDATA. The one parser of address text in minilb.

import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  bytes: Uint8Array; // 4 or 16
}

export interface IpPrefix {
  family: IpFamily;
  bytes: Uint8Array; // the network address: host bits are always zero
  length: number;
}

export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, bytes: Uint8Array.from(text.split('.'), Number) };
  // Zone ids ('fe80::1%eth0') name a link, not an address a route can point at.
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = Uint8Array.from(last.split('.'), Number);
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    body = body.slice(0, lastColon + 1) + '0:0';
  }
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [head = '', rest] = body.split('::') as [string, string | undefined];
  let words = groups(head);
  if (rest !== undefined) {
    const right = groups(rest);
    words = [...words, ...new Array<number>(8 - words.length - right.length).fill(0), ...right];
  }
  if (tail.length) words = [...words.slice(0, 6), ...tail];
  if (words.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return { family: 6, bytes };
}

// A and AAAA RDATA: the bytes of an address of that family, undefined for anything else (the
// wire encoder must never invent an address from bad input).
export function ipv4Bytes(text: string): Uint8Array | undefined {
  const address = parseIpAddress(text);
  return address?.family === 4 ? address.bytes : undefined;
}

export function ipv6Bytes(text: string): Uint8Array | undefined {
  const address = parseIpAddress(text);
  return address?.family === 6 ? address.bytes : undefined;
}

export function formatIpAddress(addr: { family: IpFamily; bytes: Uint8Array }): string {
  if (addr.family === 4) return Array.from(addr.bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((addr.bytes[i]! << 8) | addr.bytes[i + 1]!);
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

// Canonical text of an address, or undefined when it is not one.
export function canonicalIp(text: string): string | undefined {
  const addr = parseIpAddress(text);
  return addr && formatIpAddress(addr);
}

export interface ParsedPrefix {
  prefix: IpPrefix;
  // True when the text had bits set past the prefix length ('10.244.1.5/24'): such a value is
  // a typo or an address, and a router would refuse it, so callers report it instead of masking.
  hostBitsSet: boolean;
}

export function parsePrefix(text: string): ParsedPrefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIpAddress(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > addr.bytes.length * 8) return undefined;
  const bytes = maskBytes(addr.bytes, length);
  return {
    prefix: { family: addr.family, bytes, length },
    hostBitsSet: !bytes.every((b, i) => b === addr.bytes[i]),
  };
}

export function maskBytes(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, length - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

export function formatPrefix(prefix: IpPrefix): string {
  return `${formatIpAddress(prefix)}/${prefix.length}`;
}

// Canonical text of a prefix; a host route may be written without its length, as iproute2 does.
export function canonicalPrefix(text: string): string | undefined {
  if (!text.includes('/')) {
    const addr = parseIpAddress(text);
    return addr && `${formatIpAddress(addr)}/${addr.bytes.length * 8}`;
  }
  const parsed = parsePrefix(text);
  return parsed && !parsed.hostBitsSet ? formatPrefix(parsed.prefix) : undefined;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// IPv4 before IPv6, then by network address, then shorter prefixes first: a stable order that
// reads naturally in a route table.
export function comparePrefixes(a: IpPrefix, b: IpPrefix): number {
  return a.family - b.family || compareBytes(a.bytes, b.bytes) || a.length - b.length;
}
