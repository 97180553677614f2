// Turns IP address text into the 4 or 16 bytes of A and AAAA RDATA, refusing anything that is
// not a plain address (the wire encoder must never invent an address from bad input).

import { isIPv4, isIPv6 } from 'node:net';

export function ipv4Bytes(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.'), Number);
}

export function ipv6Bytes(text: string): Uint8Array | undefined {
  // isIPv6 accepts zone ids ('fe80::1%eth0'), which have no place in a DNS answer.
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let groups = text;
  const bytes = new Uint8Array(16);
  let tail: number[] = [];
  const lastColon = groups.lastIndexOf(':');
  const embedded = groups.slice(lastColon + 1);
  if (embedded.includes('.')) {
    const v4 = ipv4Bytes(embedded);
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    groups = groups.slice(0, lastColon + 1) + '0'; // placeholder group, replaced below
  }
  const [head = '', rest] = groups.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  let words: number[];
  if (rest === undefined) {
    words = parse(head);
  } else {
    const left = parse(head);
    const right = parse(rest);
    words = [...left, ...new Array<number>(8 - left.length - right.length - (tail.length ? 1 : 0)).fill(0), ...right];
  }
  if (tail.length) words = [...words.slice(0, -1), ...tail];
  if (words.length !== 8) return undefined;
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
}
