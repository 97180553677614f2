// Turns one query packet into its response packet, or into "drop" or "relay upstream", with no
// I/O: the front ends own the sockets, the index owns the records. The one wait it can ask for
// is an out-of-zone CNAME target's addresses (see cname-target-resolver.ts).

import { emptyAnswers, type Answers, type Lookup, type NameIndex } from '../index/name-lookup.js';
import { writeAuthoritativeAnswer, type Existence } from './authoritative-answer.js';
import type { AddressType, CnameTargetResolver, TargetRecord } from './cname-target-resolver.js';
import {
  CLASSIC_UDP_PAYLOAD,
  EDNS_DO,
  HEADER_LENGTH,
  HeaderFlag,
  MAX_EDNS_UDP_PAYLOAD,
  MAX_TCP_MESSAGE,
  Rcode,
  RecordClass,
  RecordType,
} from './protocol-numbers.js';
import { parseQuery, type ParsedQuery } from './query-parser.js';
import { probeCacheKey } from './cache-probe.js';
import { responseClass } from './response-class.js';
import { responseCacheCounts } from '../metrics.js';
import { renderFromPacket, renderResponse, ResponseCache, responseCacheKey, type CachedResponse, type EncodedResponse } from './response-cache.js';
import { QUESTION_NAME, ResponseWriter } from './response-writer.js';
import { ipv4Bytes, ipv6Bytes } from '../net/ip-prefix.js';
import { createZoneAuthority, type SoaTimers, type ZoneAuthority } from './zone-authority.js';

export type Transport = 'udp' | 'tcp';

// A cached answer found from the query's bytes alone (the wire fast path), not rendered yet:
// the rate limiter decides first, so a flood's dropped answers cost no copy.
export interface CacheHit {
  readonly entry: CachedResponse; // rcode, rateClass (response-class.ts) and the bytes' length
  readonly questionEnd: number; // the question spans HEADER_LENGTH..questionEnd of the packet
  readonly qtype: number;
}

export type Resolution =
  | { kind: 'reply'; bytes: Buffer; rcode: number; query: ParsedQuery | undefined }
  | { kind: 'drop'; reason: string }
  | { kind: 'relay'; query: ParsedQuery }
  // The answer once an out-of-zone CNAME target is looked up; never rejects.
  | { kind: 'pending'; query: ParsedQuery; reply: Promise<{ bytes: Buffer; rcode: number }> }

  | { kind: 'transfer'; query: ParsedQuery }; // AXFR or IXFR, for the transfer service

export interface ResponderOptions {
  index: NameIndex;
  ttl: number;
  negativeTtl: number;
  relayAvailable: boolean; // an upstream takes the names the index does not know (and RA is set)
  cacheEntries: number;
  nameServerAddresses?: readonly string[]; // the A/AAAA answered for ns.<zone>
  soaTimers?: SoaTimers;
  transfers?: boolean; // AXFR/IXFR go to the transfer service (else they are REFUSED)
  reportUnwritable?: (name: string, detail: string) => void;
  // Looks up out-of-zone CNAME targets for queries that ask for recursion (RFC 1034 4.3.2);
  // without it they get the bare CNAME.
  cnameTargets?: CnameTargetResolver;
}

export class Responder {
  private readonly index: NameIndex;
  private readonly ttl: number;
  private readonly relayAvailable: boolean;
  private readonly transfers: boolean;
  private readonly authority: ZoneAuthority;
  private readonly cache: ResponseCache;
  private readonly reportUnwritable: (name: string, detail: string) => void;
  private readonly cnameTargets: CnameTargetResolver | undefined;

  constructor(options: ResponderOptions) {
    this.cnameTargets = options.cnameTargets;
    this.index = options.index;
    this.ttl = options.ttl;
    this.relayAvailable = options.relayAvailable;
    this.transfers = options.transfers ?? false;
    this.authority = createZoneAuthority(options.index.zone, options.negativeTtl, options.nameServerAddresses, options.soaTimers);
    this.cache = new ResponseCache(options.index, options.cacheEntries);
    this.reportUnwritable = options.reportUnwritable ?? (() => {});
  }

  // The wire fast path: a query whose answer is cached is found from its bytes alone;
  // undefined sends it down respond().
  cacheHit(packet: Buffer, transport: Transport): CacheHit | undefined {
    const probe = probeCacheKey(packet, transport);
    if (!probe) return undefined;
    const entry = this.cache.peek(probe.key);
    // A CNAME whose target may be chased depends on RD and on recursion: respond() decides.
    if (!entry || entry.cnameTarget !== undefined) return undefined;
    responseCacheCounts.hit++;
    return { entry, questionEnd: probe.questionEnd, qtype: probe.qtype };
  }

  // The hit's answer for this query: its ID, RD/CD and the question's letter case copied in,
  // RA as respond() sets it for this client.
  renderHit(hit: CacheHit, packet: Buffer, recursion = true): Buffer {
    const bytes = renderFromPacket(hit.entry, packet, hit.questionEnd);
    if (!recursion && this.relayAvailable) withoutRecursionAvailable(bytes);
    return bytes;
  }

  // truncated() for a cache hit, from the packet's bytes: the probe has already checked that
  // its one additional record, if any, is a version 0 OPT at the question's end.
  truncatedHit(hit: CacheHit, packet: Buffer, recursion = true): Buffer {
    const end = hit.questionEnd;
    const edns = packet[11] === 1 ? { dnssecOk: (packet[end + 7]! & 0x80) !== 0 } : undefined;
    const id = (packet[0]! << 8) | packet[1]!;
    const flags = (packet[2]! << 8) | packet[3]!;
    return this.writeTruncated(id, flags, packet.subarray(HEADER_LENGTH, end), edns, Rcode.NOERROR, recursion);
  }

  // `recursion` false: the client is not one we recurse for (-upstream-allow): its answers do
  // not claim RA, and an out-of-zone CNAME target is followed only through our own records.
  respond(packet: Buffer, transport: Transport, recursion = true): Resolution {
    const resolution = this.resolve(packet, transport, recursion);
    if (!recursion && this.relayAvailable && resolution.kind === 'reply') withoutRecursionAvailable(resolution.bytes);
    return resolution;
  }

  private resolve(packet: Buffer, transport: Transport, recursion: boolean): Resolution {
    const parsed = parseQuery(packet);
    if (parsed.kind === 'drop') return { kind: 'drop', reason: parsed.reason };
    if (parsed.kind === 'reject') {
      // The header, plus the question and an OPT only when the query carried them (RFC 6891
      // section 7): a malformed packet never earns a bigger reply than it was.
      const rcode = parsed.rcode === 'FORMERR' ? Rcode.FORMERR : Rcode.NOTIMP;
      const opcodeAndRd = parsed.flags & (0x7800 | HeaderFlag.RD);
      const writer = new ResponseWriter(MAX_TCP_MESSAGE, parsed.id, HeaderFlag.QR | opcodeAndRd | rcode);
      if (parsed.question) writer.question(parsed.question, false);
      if (parsed.edns) writer.opt(MAX_EDNS_UDP_PAYLOAD, 0, parsed.edns.dnssecOk);
      return { kind: 'reply', bytes: writer.finish(), rcode, query: undefined };
    }
    const query = parsed.query;
    const limit = sizeLimit(query, transport);

    if (query.edns && query.edns.version > 0) return this.reply(this.minimal(query, Rcode.BADVERS, limit), query);
    // CHAOS (version.bind and friends) and other classes are not served.
    if (query.qclass !== RecordClass.IN) return this.reply(this.minimal(query, Rcode.REFUSED, limit), query);
    if (this.transfers && (query.qtype === RecordType.AXFR || query.qtype === RecordType.IXFR)) return { kind: 'transfer', query };

    const key = responseCacheKey(query, limit);
    let entry = this.cache.get(key);
    if (!entry) {
      const existence = this.existence(query);
      if (existence === 'relay') return { kind: 'relay', query };
      const encoded = this.encode(query, existence, limit);
      entry = { ...encoded, rateClass: responseClass(query.questionKey, encoded.bytes) };
      this.cache.set(key, entry);
    }
    const wantsAddresses = query.qtype === RecordType.A || query.qtype === RecordType.AAAA;
    if (entry.cnameTarget !== undefined && wantsAddresses && query.flags & HeaderFlag.RD) {
      const chased = this.chase(query, entry, entry.cnameTarget, query.qtype as AddressType, limit, recursion);
      if (chased) return chased;
    }
    return { kind: 'reply', bytes: renderResponse(entry, query), rcode: entry.rcode, query };
  }

  // The CNAME followed by its target's records, when they are known now (the index, the target
  // cache) or after a lookup; the bare CNAME (undefined here) when the target cannot be resolved.
  private chase(query: ParsedQuery, bare: EncodedResponse, target: string, type: AddressType, limit: number, recursion: boolean): Resolution | undefined {
    const local = this.index.lookup(target);
    if (local.kind === 'found' && local.answers.cname === undefined) {
      const texts = type === RecordType.A ? local.answers.a : local.answers.aaaa;
      const records: TargetRecord[] = [];
      for (const text of texts) {
        const address = (type === RecordType.A ? ipv4Bytes : ipv6Bytes)(text);
        if (address) records.push({ owner: target, ttl: this.ttl, data: { type, address } });
      }
      if (records.length > 0) return this.reply(this.encodeChased(query, target, records, limit), query);
    }
    // A lookup (or its cached result) is recursion done for the client, as a relay is.
    const resolver = recursion ? this.cnameTargets : undefined;
    if (!resolver) return undefined;
    const cached = resolver.cached(target, type);
    if (cached) return cached.records ? this.reply(this.encodeChased(query, target, cached.records, limit), query) : undefined;
    const reply = resolver.resolve(target, type).then((records) => {
      const entry = records ? this.encodeChased(query, target, records, limit) : bare;
      return { bytes: renderResponse(entry, query), rcode: entry.rcode };
    });
    return { kind: 'pending', query, reply };
  }

  private encodeChased(query: ParsedQuery, target: string, records: readonly TargetRecord[], limit: number): EncodedResponse {
    const writer = this.writer(query, limit, HeaderFlag.AA);
    const reserve = query.edns ? 11 : 0;
    let fits = writer.record('answer', QUESTION_NAME, this.ttl, { type: RecordType.CNAME, target }, reserve);
    for (const record of records) {
      if (!fits) break;
      fits = writer.record('answer', record.owner, record.ttl, record.data, reserve);
    }
    if (!fits) writer.setFlags(writer.flags() | HeaderFlag.TC);
    if (query.edns) writer.opt(MAX_EDNS_UDP_PAYLOAD, 0, query.edns.dnssecOk);
    return { bytes: writer.finish(), shuffle: undefined, rcode: Rcode.NOERROR };
  }

  // The answer when the upstream could not be reached in time.
  serverFailure(query: ParsedQuery, transport: Transport): Buffer {
    return renderResponse(this.minimal(query, Rcode.SERVFAIL, sizeLimit(query, transport)), query);
  }

  // For a client outside -upstream-allow asking for a name only the upstream knows.
  refusal(query: ParsedQuery, transport: Transport): Buffer {
    return withoutRecursionAvailable(renderResponse(this.minimal(query, Rcode.REFUSED, sizeLimit(query, transport)), query));
  }

  // Header, question and OPT with TC and no records: what a rate-limited client gets on a
  // slip, and a UDP client whose relayed answer does not fit. No bigger than the query. Built
  // straight into one buffer: a flood's slips come through here.
  truncated(query: ParsedQuery, rcode: number = Rcode.NOERROR, recursion = true): Buffer {
    return this.writeTruncated(query.id, query.flags, query.question, query.edns, rcode, recursion);
  }

  private writeTruncated(id: number, queryFlags: number, question: Buffer, edns: { dnssecOk: boolean } | undefined, rcode: number, recursion: boolean): Buffer {
    const out = Buffer.allocUnsafe(HEADER_LENGTH + question.length + (edns ? 11 : 0));
    const ra = this.relayAvailable && recursion ? HeaderFlag.RA : 0;
    out.writeUInt16BE(id, 0);
    out.writeUInt16BE(HeaderFlag.QR | HeaderFlag.TC | (queryFlags & (HeaderFlag.RD | HeaderFlag.CD)) | ra | (rcode & 0xf), 2);
    out.writeUInt32BE(0x00010000, 4); // one question, no answers
    out.writeUInt32BE(edns ? 1 : 0, 8); // no authority; the OPT, if any
    question.copy(out, HEADER_LENGTH);
    if (edns) {
      const at = HEADER_LENGTH + question.length;
      out[at] = 0; // the root
      out.writeUInt16BE(RecordType.OPT, at + 1);
      out.writeUInt16BE(MAX_EDNS_UDP_PAYLOAD, at + 3);
      out[at + 5] = rcode >> 4;
      out[at + 6] = 0; // version 0
      out.writeUInt16BE(edns.dnssecOk ? EDNS_DO : 0, at + 7);
      out.writeUInt16BE(0, at + 9);
    }
    return out;
  }

  private reply(entry: EncodedResponse, query: ParsedQuery): Resolution {
    return { kind: 'reply', bytes: renderResponse(entry, query), rcode: entry.rcode, query };
  }

  private existence(query: ParsedQuery): Existence | 'relay' | 'refused' | 'root' {
    const { name, qtype } = query;
    const authority = this.authority;
    // CoreDNS's forward health check; any parseable reply counts, and relaying it would tie our
    // health to the upstream's.
    if (name === '' && qtype === RecordType.NS) return 'root';
    const inZone = authority.isInZone(name);
    // A label holding a '.' byte would read as two labels; no index name can match it.
    const lookup: Lookup = query.nameIsHostname ? this.index.lookup(name) : { kind: inZone ? 'nxdomain' : 'unknown' };
    if (lookup.kind === 'unknown') {
      // An in-zone name is ours to deny; relaying it could loop through a CoreDNS that forwards
      // the zone back to us.
      if (inZone) return { kind: 'nxdomain' };
      return this.relayAvailable ? 'relay' : 'refused';
    }
    if (qtype === RecordType.AXFR || qtype === RecordType.IXFR) return 'refused';
    if (lookup.kind === 'nxdomain' && name === authority.zone) return { kind: 'found', answers: noAnswers };
    // The NS target must have an address, or resolvers that prime the NS set fail every lookup.
    if (name === authority.nameServer && (lookup.kind === 'nxdomain' || isEmpty(lookup.answers))) {
      return { kind: 'found', answers: authority.nameServerAnswers };
    }
    return lookup;
  }

  private encode(query: ParsedQuery, existence: Existence | 'refused' | 'root', limit: number): EncodedResponse {
    if (existence === 'refused') return this.minimal(query, Rcode.REFUSED, limit);
    if (existence === 'root') return this.minimal(query, Rcode.NOERROR, limit);
    const writer = this.writer(query, limit, HeaderFlag.AA);
    const result = writeAuthoritativeAnswer(writer, query.name, query.qtype, existence, {
      authority: this.authority,
      indexVersion: this.index.version,
      ttl: this.ttl,
      reserve: query.edns ? 11 : 0,
      resolveTarget: (target) => this.resolveTarget(target),
      reportUnwritable: this.reportUnwritable,
    });
    let flags = writer.flags() | result.rcode;
    if (result.truncated) flags |= HeaderFlag.TC;
    writer.setFlags(flags);
    if (query.edns) writer.opt(MAX_EDNS_UDP_PAYLOAD, 0, query.edns.dnssecOk);
    // A lone CNAME to a name outside the zone: chased per query when recursion is desired.
    const cname = existence.kind === 'found' ? existence.answers.cname : undefined;
    const cnameTarget = cname !== undefined && !this.authority.isInZone(cname) && result.rcode === Rcode.NOERROR && !result.truncated ? cname : undefined;
    return { bytes: writer.finish(), shuffle: result.shuffle, pointerFixups: [...writer.pointerFixups], rcode: result.rcode, cnameTarget };
  }

  private resolveTarget(target: string): Answers | undefined {
    const lookup = this.index.lookup(target);
    return lookup.kind === 'found' ? lookup.answers : undefined;
  }

  // Header, question and (for EDNS queries) OPT: the reply for every refusal and error that
  // still has a question to echo.
  private minimal(query: ParsedQuery, rcode: number, limit: number): EncodedResponse {
    const writer = this.writer(query, limit, rcode & 0xf);
    if (query.edns) writer.opt(MAX_EDNS_UDP_PAYLOAD, rcode >> 4, query.edns.dnssecOk);
    return { bytes: writer.finish(), shuffle: undefined, rcode };
  }

  private writer(query: ParsedQuery, limit: number, extraFlags: number): ResponseWriter {
    const copied = query.flags & (HeaderFlag.RD | HeaderFlag.CD);
    const ra = this.relayAvailable ? HeaderFlag.RA : 0;
    const writer = new ResponseWriter(limit, query.id, HeaderFlag.QR | copied | ra | extraFlags);
    writer.question(query.question, query.nameIsHostname);
    return writer;
  }
}

const noAnswers: Answers = emptyAnswers();

// Cached answers carry RA when an upstream exists; a client we do not recurse for gets it cleared
// in its own copy of the bytes.
function withoutRecursionAvailable(bytes: Buffer): Buffer {
  if (bytes.length >= 4) bytes[3] = bytes[3]! & ~HeaderFlag.RA;
  return bytes;
}

function isEmpty(answers: Answers): boolean {
  return answers.a.length === 0 && answers.aaaa.length === 0 && answers.srv.length === 0 && answers.cname === undefined;
}

// RFC 1035 and 6891: 512 bytes without EDNS, else the client's size, but never past the
// fragmentation-safe 1232 nor below 512. TCP carries whatever fits a 16-bit length.
export function sizeLimit(query: ParsedQuery, transport: Transport): number {
  if (transport === 'tcp') return MAX_TCP_MESSAGE;
  if (!query.edns) return CLASSIC_UDP_PAYLOAD;
  return Math.min(Math.max(query.edns.udpPayloadSize, CLASSIC_UDP_PAYLOAD), MAX_EDNS_UDP_PAYLOAD);
}
