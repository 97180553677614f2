// RFC 7828 edns-tcp-keepalive: a TCP client that sends the option learns how long an idle
// connection stays open, so it can keep one open for its next queries instead of reconnecting.
// Never on UDP (section 3.2.2), and only where our own empty OPT ends the answer.

import { EDNS_TCP_KEEPALIVE, MAX_TCP_MESSAGE, RecordType } from './protocol-numbers.js';
import { parseQuery, skipName, skipRecord } from './query-parser.js';

const OPT_LENGTH = 11; // root name, type, class, TTL, RDLENGTH
const OPTION_LENGTH = 6; // code, length, TIMEOUT

// The reply with the option appended when the query asked for it; else the reply as it was.
// TIMEOUT is in units of 100 ms.
export function withTcpKeepalive(query: Buffer, reply: Buffer, idleTimeoutMs: number): Buffer {
  if (reply.length + OPTION_LENGTH > MAX_TCP_MESSAGE || !endsWithEmptyOpt(reply)) return reply;
  const parsed = parseQuery(query);
  if (parsed.kind !== 'query' || !parsed.query.edns?.tcpKeepalive) return reply;
  const out = Buffer.allocUnsafe(reply.length + OPTION_LENGTH);
  reply.copy(out);
  const rdlength = reply.length - 2;
  out.writeUInt16BE(OPTION_LENGTH, rdlength);
  out.writeUInt16BE(EDNS_TCP_KEEPALIVE, reply.length);
  out.writeUInt16BE(2, reply.length + 2);
  out.writeUInt16BE(Math.min(0xffff, Math.floor(idleTimeoutMs / 100)), reply.length + 4);
  return out;
}

// The responder writes its OPT last, with no options. Walked record by record, so a relayed
// reply whose last bytes only look like an OPT is left alone.
function endsWithEmptyOpt(reply: Buffer): boolean {
  if (reply.length < 12 + OPT_LENGTH) return false;
  const questions = reply.readUInt16BE(4);
  const records = reply.readUInt16BE(6) + reply.readUInt16BE(8) + reply.readUInt16BE(10);
  let at = 12;
  for (let i = 0; i < questions && at >= 0; i++) {
    const nameEnd = skipName(reply, at);
    at = nameEnd < 0 ? -1 : nameEnd + 4;
  }
  let last = -1;
  for (let i = 0; i < records && at >= 0 && at < reply.length; i++) {
    last = at;
    at = skipRecord(reply, at);
  }
  return at === reply.length && last === reply.length - OPT_LENGTH && reply[last] === 0 && reply.readUInt16BE(last + 1) === RecordType.OPT && reply.readUInt16BE(last + 9) === 0;
}

