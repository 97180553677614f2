// What minilb says about a name it is authoritative for (the zone, and every name the index
// found): records of the asked type, or NODATA/NXDOMAIN with the SOA for negative caching.

import type { Answers } from '../index/name-lookup.js';
import { ipv4Bytes, ipv6Bytes } from '../net/ip-prefix.js';
import { Rcode, RecordType } from './protocol-numbers.js';
import { isWritableName, QUESTION_NAME, type RecordData, type ResponseWriter } from './response-writer.js';
import type { ZoneAuthority } from './zone-authority.js';

export interface AuthoritativeContext {
  authority: ZoneAuthority;
  indexVersion: number;
  ttl: number;
  reserve: number; // bytes kept free for the OPT record
  // SRV targets' addresses go in the additional section when they fit.
  resolveTarget: (name: string) => Answers | undefined;
  reportUnwritable: (name: string, detail: string) => void;
}

// `apex` as in the index's Lookup: the served hostname above an NXDOMAIN name outside the zone.
export type Existence = { kind: 'found'; answers: Answers } | { kind: 'nxdomain'; apex?: string };

export interface AuthoritativeResult {
  rcode: number;
  truncated: boolean;
  shuffle: number[] | undefined; // see EncodedResponse.shuffle
}

// RFC 8482 lets a server pick what to return for ANY; a synthesized HINFO is cheap, constant
// and tells the client why it got no real records.
const rfc8482: RecordData = { type: RecordType.HINFO, cpu: 'RFC8482', os: '' };

export function writeAuthoritativeAnswer(
  writer: ResponseWriter,
  name: string,
  qtype: number,
  existence: Existence,
  context: AuthoritativeContext,
): AuthoritativeResult {
  const { authority, reserve } = context;
  // Outside the zone a served hostname is the apex of its own zone, and names below it are in
  // that apex's zone.
  const soaOwner = authority.isInZone(name) ? authority.zone : existence.kind === 'nxdomain' && existence.apex ? existence.apex : QUESTION_NAME;
  const soa = (): boolean =>
    writer.record('authority', soaOwner, authority.negativeTtl, authority.soa(context.indexVersion), reserve);

  if (existence.kind === 'nxdomain') {
    const fits = soa();
    return { rcode: Rcode.NXDOMAIN, truncated: !fits, shuffle: undefined };
  }

  const records = answerRecords(name, qtype, existence.answers, context);
  if (records.length === 0) {
    const fits = soa();
    return { rcode: Rcode.NOERROR, truncated: !fits, shuffle: undefined };
  }

  const shuffled = records.length > 1;
  // Shuffled SRV records still lend their target names to the glue owners (the shuffle moves
  // those pointers with them): 2 bytes per glue owner instead of the whole name.
  const sharing = !shuffled ? 'shared' : qtype === RecordType.SRV ? 'movable' : 'none';
  const bounds = [writer.length];
  for (const { data, ttl } of records) {
    if (!writer.record('answer', QUESTION_NAME, ttl, data, reserve, sharing)) {
      // A partial RRset with TC set: the client retries over TCP for all of it.
      return { rcode: Rcode.NOERROR, truncated: true, shuffle: shuffled ? bounds : undefined };
    }
    bounds.push(writer.length);
  }
  if (qtype === RecordType.SRV) writeSrvTargetAddresses(writer, records, context);
  // The zone's own NS target is in the zone: its addresses go along, as glue (RFC 1034 4.3.2),
  // so a resolver priming the NS set needs no second query. Other apexes' NS is out of their zone.
  if (qtype === RecordType.NS && name === authority.zone) writeGlue(writer, authority.nameServer, authority.nameServerAnswers, context);
  return { rcode: Rcode.NOERROR, truncated: false, shuffle: shuffled ? bounds : undefined };
}

interface AnswerRecord {
  data: RecordData;
  ttl: number;
}

function answerRecords(name: string, qtype: number, answers: Answers, context: AuthoritativeContext): AnswerRecord[] {
  const { authority, ttl } = context;
  const withTtl = (data: RecordData): AnswerRecord => ({ data, ttl });
  if (answers.cname !== undefined) {
    // A CNAME stands for the whole name, whatever type was asked.
    if (!isWritableName(answers.cname)) {
      context.reportUnwritable(name, `CNAME target ${JSON.stringify(answers.cname)} is not a valid DNS name`);
      return [];
    }
    return [withTtl({ type: RecordType.CNAME, target: answers.cname })];
  }
  // A hostname outside the zone (an Ingress host) is served as the apex of its own one-name
  // zone: its SOA (the one NODATA carries) and NS answer there too.
  const apex = name === authority.zone || !authority.isInZone(name);
  switch (qtype) {
    case RecordType.A:
      return addresses(name, answers.a, ipv4Bytes, RecordType.A, context).map(withTtl);
    case RecordType.AAAA:
      return addresses(name, answers.aaaa, ipv6Bytes, RecordType.AAAA, context).map(withTtl);
    case RecordType.SRV:
      return services(name, answers, context).map(withTtl);
    case RecordType.SOA:
      return apex ? [{ data: authority.soa(context.indexVersion), ttl: authority.negativeTtl }] : [];
    case RecordType.NS:
      return apex ? [withTtl({ type: RecordType.NS, target: authority.nameServer })] : [];
    case RecordType.ANY:
      return [withTtl(rfc8482)];
    default:
      return [];
  }
}

function addresses(
  name: string,
  texts: readonly string[],
  toBytes: (text: string) => Uint8Array | undefined,
  type: typeof RecordType.A | typeof RecordType.AAAA,
  context: AuthoritativeContext,
): RecordData[] {
  const records: RecordData[] = [];
  for (const text of texts) {
    const address = toBytes(text);
    if (address) records.push({ type, address });
    else context.reportUnwritable(name, `${JSON.stringify(text)} is not an ${type === RecordType.A ? 'IPv4' : 'IPv6'} address`);
  }
  return records;
}

function services(name: string, answers: Answers, context: AuthoritativeContext): RecordData[] {
  const records: RecordData[] = [];
  for (const srv of answers.srv) {
    const valid = [srv.priority, srv.weight, srv.port].every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff);
    if (valid && isWritableName(srv.target)) {
      records.push({ type: RecordType.SRV, priority: srv.priority, weight: srv.weight, port: srv.port, target: srv.target });
    } else {
      context.reportUnwritable(name, `SRV ${JSON.stringify(srv)} has a bad number or target`);
    }
  }
  return records;
}

// Additional data is optional (RFC 2181 9): what does not fit is left out without TC.
function writeGlue(writer: ResponseWriter, owner: string, answers: Answers, context: AuthoritativeContext): boolean {
  const glue = [
    ...addresses(owner, answers.a, ipv4Bytes, RecordType.A, context),
    ...addresses(owner, answers.aaaa, ipv6Bytes, RecordType.AAAA, context),
  ];
  for (const address of glue) {
    if (!writer.record('additional', owner, context.ttl, address, context.reserve)) return false;
  }
  return true;
}

function writeSrvTargetAddresses(writer: ResponseWriter, records: AnswerRecord[], context: AuthoritativeContext): void {
  const seen = new Set<string>();
  for (const { data } of records) {
    if (data.type !== RecordType.SRV || seen.has(data.target)) continue;
    seen.add(data.target);
    const answers = context.resolveTarget(data.target);
    if (!answers || answers.cname !== undefined) continue;
    if (!writeGlue(writer, data.target, answers, context)) return;
  }
}
