// The wire fast path's reader: a query's response-cache key straight from its bytes, for the
// shape nearly every query has (one question, nothing else but an optional EDNS version 0 OPT).
// Anything else, malformed or merely unusual, is left to parseQuery, which knows how to answer
// it; so is anything parseQuery would refuse. The key is the one the full path stores under.

import { CLASSIC_UDP_PAYLOAD, HEADER_LENGTH, MAX_EDNS_UDP_PAYLOAD, MAX_TCP_MESSAGE, RecordClass, RecordType } from './protocol-numbers.js';
import { EdnsKey, questionCacheKey } from './response-cache.js';
import type { Transport } from './responder.js';

export interface CacheProbe {
  key: string;
  questionEnd: number; // the question spans HEADER_LENGTH..questionEnd
  qtype: number;
}

const MAX_NAME_WIRE_LENGTH = 255;

export function probeCacheKey(packet: Buffer, transport: Transport): CacheProbe | undefined {
  const length = packet.length;
  if (length < HEADER_LENGTH + 5) return undefined;
  // QR clear and opcode QUERY; exactly one question; no answer or authority records; at most one
  // additional record (the OPT).
  if ((packet[2]! & 0xf8) !== 0) return undefined;
  if (packet[4] !== 0 || packet[5] !== 1 || packet[6] !== 0 || packet[7] !== 0 || packet[8] !== 0 || packet[9] !== 0 || packet[10] !== 0) return undefined;
  const additional = packet[11]!;
  if (additional > 1) return undefined;

  // Plain labels only: a compression pointer or an extended label type is the parser's to refuse.
  let offset = HEADER_LENGTH;
  for (;;) {
    if (offset >= length) return undefined;
    const label = packet[offset]!;
    if (label === 0) break;
    if (label > 63) return undefined;
    offset += 1 + label;
  }
  const nameEnd = offset + 1;
  if (nameEnd - HEADER_LENGTH > MAX_NAME_WIRE_LENGTH) return undefined;
  const questionEnd = nameEnd + 4;
  if (questionEnd > length) return undefined;
  const qtype = (packet[nameEnd]! << 8) | packet[nameEnd + 1]!;
  const qclass = (packet[nameEnd + 2]! << 8) | packet[nameEnd + 3]!;
  // Other classes, transfers and OPT as a question get their own answers on the full path.
  if (qclass !== RecordClass.IN || qtype === RecordType.OPT || qtype === RecordType.AXFR || qtype === RecordType.IXFR) return undefined;

  let edns: EdnsKey = EdnsKey.NONE;
  let sizeLimit = transport === 'tcp' ? MAX_TCP_MESSAGE : CLASSIC_UDP_PAYLOAD;
  if (additional === 1) {
    // Only an OPT owned by the root, version 0 (others get BADVERS), its data inside the packet.
    const at = questionEnd;
    if (at + 11 > length || packet[at] !== 0) return undefined;
    if (((packet[at + 1]! << 8) | packet[at + 2]!) !== RecordType.OPT) return undefined;
    if (packet[at + 6] !== 0) return undefined;
    if (at + 11 + ((packet[at + 9]! << 8) | packet[at + 10]!) > length) return undefined;
    edns = packet[at + 7]! & 0x80 ? EdnsKey.DNSSEC_OK : EdnsKey.EDNS;
    if (transport === 'udp') {
      const size = (packet[at + 3]! << 8) | packet[at + 4]!;
      sizeLimit = Math.min(Math.max(size, CLASSIC_UDP_PAYLOAD), MAX_EDNS_UDP_PAYLOAD);
    }
  }
  return { key: questionCacheKey(packet, HEADER_LENGTH, questionEnd, edns, sizeLimit), questionEnd, qtype };
}
