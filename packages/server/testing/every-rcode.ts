// Queries that earn every response code minilb sends, for the metrics tests (the unit test and
// promtool's live scrape). The server needs an -upstream that never answers, for SERVFAIL.

import { decodeResponse, encodeQuery, tcpQuery, udpExchange, udpQuery } from './dns-test-client.js';

export const EVERY_RCODE = ['NOERROR', 'NXDOMAIN', 'REFUSED', 'FORMERR', 'NOTIMP', 'BADVERS', 'SERVFAIL'] as const;

// `known` is a name the server answers; `zone` its zone. Returns the rcode each query got.
export async function queryEveryRcode(port: number, known: string, zone: string, host = '127.0.0.1'): Promise<string[]> {
  const seen: string[] = [];
  seen.push((await udpQuery(port, known, 'A', {}, host)).rcode);
  seen.push((await tcpQuery(port, known, 'AAAA', {}, host)).rcode);
  seen.push((await udpQuery(port, `no-such-name.${zone}`, 'A', {}, host)).rcode);
  seen.push((await udpQuery(port, 'version.bind', 'TXT', { qclass: 'CH' }, host)).rcode);
  const noQuestion = encodeQuery(known, 'A').subarray(0, 12);
  noQuestion.writeUInt16BE(0, 4); // QDCOUNT 0
  seen.push(rcodeOf(await udpExchange(port, noQuestion, 2000, host)));
  const status = encodeQuery(known, 'A');
  status.writeUInt16BE(status.readUInt16BE(2) | (2 << 11), 2); // opcode STATUS
  seen.push(rcodeOf(await udpExchange(port, status, 2000, host)));
  seen.push((await udpQuery(port, known, 'A', { edns: { version: 1 } }, host)).rcode);
  // Out of the zone, relayed to the silent upstream: SERVFAIL once -upstream-timeout passes.
  seen.push((await udpQuery(port, 'www.example.org', 'A', {}, host)).rcode);
  return seen;
}

function rcodeOf(reply: Buffer | undefined): string {
  if (!reply) throw new Error('no reply');
  return decodeResponse(reply).rcode;
}
