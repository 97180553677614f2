// Reads a DNS query off the wire without trusting it: header, the one question (kept as the
// client's exact bytes for the 0x20 case echo), and the EDNS OPT record. Never throws.

import { EDNS_DO, EDNS_TCP_KEEPALIVE, HEADER_LENGTH, HeaderFlag, Opcode, RecordType } from './protocol-numbers.js';

export interface Edns {
  udpPayloadSize: number;
  version: number;
  dnssecOk: boolean;
  tcpKeepalive: boolean; // RFC 7828: the client asks for our TCP idle timeout
}

export interface ParsedQuery {
  id: number;
  flags: number; // the query's flags word, for RD/CD copying
  question: Buffer; // the question exactly as sent (name + type + class), a view into the packet
  // The question exactly, case folded: length-prefixed wire labels (ASCII lower-cased), then type
  // and class as one char each. Length prefixes make it prefix-free, so no two questions share it.
  questionKey: string;
  name: string; // lower-case, dot-separated, no trailing dot; '' is the root
  nameIsHostname: boolean; // false when a label holds a '.' byte: no index name can match it
  qtype: number;
  qclass: number;
  edns: Edns | undefined;
}

export type ParseOutcome =
  | { kind: 'query'; query: ParsedQuery }
  // Answering these would feed a reflection loop or reply to noise: send nothing.
  | { kind: 'drop'; reason: 'short' | 'response' }
  // Header readable, rest refused: a reply with this rcode, echoing the question when it could
  // be read and an OPT when the query carried a valid one (RFC 6891 section 7). Both were in the
  // query, so the reply is never bigger than it.
  | {
      kind: 'reject';
      id: number;
      flags: number;
      rcode: 'FORMERR' | 'NOTIMP';
      reason: string;
      question: Buffer | undefined;
      edns: Edns | undefined;
    };

const MAX_NAME_WIRE_LENGTH = 255;

export function parseQuery(packet: Buffer): ParseOutcome {
  if (packet.length < HEADER_LENGTH) return { kind: 'drop', reason: 'short' };
  const id = packet.readUInt16BE(0);
  const flags = packet.readUInt16BE(2);
  if (flags & HeaderFlag.QR) return { kind: 'drop', reason: 'response' };
  let question: Buffer | undefined;
  let edns: Edns | undefined;
  // Another opcode is NOTIMP whatever follows; the rest is read only to echo what can be.
  const otherOpcode = ((flags >> 11) & 0xf) !== Opcode.QUERY;
  const reject = (rcode: 'FORMERR' | 'NOTIMP', reason: string): ParseOutcome =>
    otherOpcode
      ? { kind: 'reject', id, flags, rcode: 'NOTIMP', reason: 'opcode', question, edns }
      : { kind: 'reject', id, flags, rcode, reason, question, edns };

  const questionCount = packet.readUInt16BE(4);
  const answerCount = packet.readUInt16BE(6);
  const authorityCount = packet.readUInt16BE(8);
  const additionalCount = packet.readUInt16BE(10);

  // The question and the OPT are read before anything is refused, so that error replies can
  // carry them. With QDCOUNT other than 1 there is no one question to echo; with 0 the
  // additional section still starts right after the header.
  let offset = HEADER_LENGTH;
  let name: QuestionName | undefined;
  let qtype = 0;
  let qclass = 0;
  if (questionCount === 1) {
    const read = readQuestionName(packet, HEADER_LENGTH);
    if (typeof read === 'string') return reject('FORMERR', read);
    if (read.end + 4 > packet.length) return reject('FORMERR', 'question truncated');
    name = read;
    qtype = packet.readUInt16BE(read.end);
    qclass = packet.readUInt16BE(read.end + 2);
    offset = read.end + 4;
    question = packet.subarray(HEADER_LENGTH, offset);
  } else if (questionCount > 1) {
    for (let i = 0; i < questionCount; i++) {
      const end = skipName(packet, offset);
      if (end < 0 || end + 4 > packet.length) return reject('FORMERR', 'qdcount');
      offset = end + 4;
    }
  }

  // Queries rarely carry answer or authority records; skip them rather than refuse.
  for (let i = 0; i < answerCount + authorityCount; i++) {
    const next = skipRecord(packet, offset);
    if (next < 0) return reject('FORMERR', 'record truncated');
    offset = next;
  }
  let found: Edns | undefined;
  let badOpt: string | undefined;
  for (let i = 0; i < additionalCount; i++) {
    const rrStart = offset;
    const next = skipRecord(packet, offset);
    if (next < 0) {
      edns = badOpt ? undefined : found;
      return reject('FORMERR', 'record truncated');
    }
    const nameEnd = skipName(packet, rrStart);
    if (packet.readUInt16BE(nameEnd) === RecordType.OPT) {
      // RFC 6891 6.1.1: one OPT, owned by the root.
      if (found) badOpt = 'second OPT';
      else if (nameEnd !== rrStart + 1) badOpt = 'OPT not at root';
      found = {
        udpPayloadSize: packet.readUInt16BE(nameEnd + 2),
        version: packet[nameEnd + 5]!,
        dnssecOk: (packet.readUInt16BE(nameEnd + 6) & EDNS_DO) !== 0,
        tcpKeepalive: hasOption(packet, nameEnd + 10, next, EDNS_TCP_KEEPALIVE),
      };
    }
    offset = next;
  }
  if (badOpt) return reject('FORMERR', badOpt);
  edns = found;

  if (otherOpcode) return reject('NOTIMP', 'opcode');
  if (questionCount !== 1 || !name) return reject('FORMERR', 'qdcount');
  if (qtype === RecordType.OPT) return reject('FORMERR', 'OPT as question type');

  return {
    kind: 'query',
    query: {
      id,
      flags,
      question: question!,
      questionKey: name.wireKey + String.fromCharCode(qtype, qclass),
      name: name.text,
      nameIsHostname: name.plain,
      qtype,
      qclass,
      edns,
    },
  };
}

interface QuestionName {
  end: number;
  text: string;
  wireKey: string; // every label as its length char and its lower-cased bytes, then the root's 0
  plain: boolean;
}

// The question comes first, so a compression pointer there can only point at the header or
// forward: always malformed. Refusing pointers here also rules out pointer loops.
// Built char by char: for names this short it beats slicing buffers per label.
function readQuestionName(packet: Buffer, start: number): QuestionName | string {
  let text = '';
  let wireKey = '';
  let plain = true;
  let offset = start;
  for (;;) {
    if (offset >= packet.length) return 'name truncated';
    const length = packet[offset]!;
    if (length === 0) break;
    if (length > 63) return 'compressed or extended label in question';
    const end = offset + 1 + length;
    if (end > packet.length) return 'label truncated';
    if (end - start + 1 > MAX_NAME_WIRE_LENGTH) return 'name too long';
    if (offset !== start) text += '.';
    let label = '';
    for (let i = offset + 1; i < end; i++) {
      let byte = packet[i]!;
      if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
      else if (byte === 0x2e) plain = false;
      label += String.fromCharCode(byte);
    }
    text += label;
    wireKey += String.fromCharCode(length) + label;
    offset = end;
  }
  return { end: offset + 1, text, wireKey: wireKey + '\u0000', plain };
}

// Whether the OPT RDATA in packet[start, end) holds the option `code`; a truncated option ends the scan.
function hasOption(packet: Buffer, start: number, end: number, code: number): boolean {
  for (let at = start; at + 4 <= end; at += 4 + packet.readUInt16BE(at + 2)) {
    if (packet.readUInt16BE(at) === code) return true;
  }
  return false;
}

// Skips a name without following pointers, so no input can make it loop. Returns the offset
// after the name, or -1 if the packet ends first.
export function skipName(packet: Buffer, start: number): number {
  let offset = start;
  for (;;) {
    if (offset >= packet.length) return -1;
    const length = packet[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2 <= packet.length ? offset + 2 : -1;
    if (length > 63) return -1;
    offset += 1 + length;
  }
}

// The offset after the record at `start`, or -1 if the packet ends first.
export function skipRecord(packet: Buffer, start: number): number {
  const nameEnd = skipName(packet, start);
  if (nameEnd < 0 || nameEnd + 10 > packet.length) return -1;
  const end = nameEnd + 10 + packet.readUInt16BE(nameEnd + 8);
  return end <= packet.length ? end : -1;
}
