// One query in, at most one response out, for either transport: the responder's answer, or the
// upstream's via the relay (SERVFAIL when it fails), with metrics and the debug query log.

import type { NetworkList } from '../config/network-list.js';
import type { Logger } from '../log.js';
import { rateLimitedCounts, relayRefused, upstreamFailures } from '../metrics.js';
import { HeaderFlag, Rcode, typeLabel } from './protocol-numbers.js';
import { parseQuery, type ParsedQuery } from './query-parser.js';
import { sizeLimit, type Responder, type Transport } from './responder.js';
import type { ResponseRateLimiter } from './response-rate-limiter.js';
import { countAnswer, countMalformed, countReplyTook } from './query-metrics.js';
import { responseClass } from './response-class.js';
import { throttledWarning } from './throttled-warning.js';
import type { UpstreamRelay } from './upstream-relay.js';
import type { TransferService } from '../transfer/transfer-service.js';

// Several messages for one query (a zone transfer over TCP), taken one at a time as the
// connection can write them.
export class MessageStream {
  constructor(readonly messages: Iterator<Buffer>) {}
}

// Synchronous whenever the answer is local, so zone answers never wait on a promise.
export type QueryHandler = (
  packet: Buffer,
  transport: Transport,
  client: string,
) => Buffer | undefined | Promise<Buffer | undefined> | MessageStream;

export interface QueryHandlerOptions {
  rateLimiter?: ResponseRateLimiter; // UDP only: TCP sources cannot be spoofed
  relayAllow?: NetworkList; // clients we recurse for (relay, CNAME targets, RA); default everyone
  transfers?: TransferService; // AXFR/IXFR; without it they are REFUSED
}

export function createQueryHandler(responder: Responder, relay: UpstreamRelay | undefined, log: Logger, options: QueryHandlerOptions = {}): QueryHandler {
  const { rateLimiter, relayAllow, transfers } = options;
  // The last step for every UDP answer: within the rate it goes out, past it it is dropped or
  // slips out truncated.
  const limit = (transport: Transport, client: string, query: ParsedQuery | undefined, bytes: Buffer): Buffer | undefined => {
    if (transport !== 'udp' || !rateLimiter?.enabled) return bytes;
    const decision = rateLimiter.decide(client, responseClass(query?.questionKey, bytes));
    if (decision === 'send') return bytes;
    if (decision === 'drop' || !query) {
      rateLimitedCounts.dropped++;
      return undefined;
    }
    rateLimitedCounts.slipped++;
    return responder.truncated(query, Rcode.NOERROR, recursionFor(client));
  };
  // Asked per query, so the answer per client address is remembered (bounded, like the limiter's).
  const recursionCache = new Map<string, boolean>();
  const recursionFor = (client: string): boolean => {
    if (!relayAllow) return true;
    let allowed = recursionCache.get(client);
    if (allowed === undefined) {
      if (recursionCache.size >= 4096) recursionCache.clear();
      allowed = relayAllow.contains(client);
      recursionCache.set(client, allowed);
    }
    return allowed;
  };
  const warnUpstream = throttledWarning(log, 'upstream relay failed; clients got SERVFAIL');
  const logQuery = (transport: Transport, client: string, query: ParsedQuery | undefined, rcode: number, relayed: boolean): void => {
    if (!log.isLevelEnabled('debug')) return;
    log.debug(
      { transport, client, name: query?.name, qtype: query ? typeLabel(query.qtype) : undefined, rcode, relayed },
      'dns query',
    );
  };

  // A clock read costs about as much as finding a cached answer, so cache hits are timed one in
  // 16; the others count (every count stays exact) with the duration last timed.
  let packets = 0;
  let cachedSeconds = 0;

  return (packet, transport, client) => {
    const timed = (++packets & 15) === 0;
    const arrivedAt = timed ? performance.now() : 0;
    const recursion = recursionFor(client);
    const hit = responder.cacheHit(packet, transport);
    if (hit) {
      const { rcode, rateClass, bytes } = hit.entry;
      if (timed) cachedSeconds = (performance.now() - arrivedAt) / 1000;
      countReplyTook(transport, client, hit.qtype, rcode, packet.length, bytes.length, cachedSeconds);
      if (log.isLevelEnabled('debug')) logQuery(transport, client, parsedFor(packet), rcode, false);
      // The rate check first: a dropped answer is never rendered, a slip is built from the packet.
      const decision = transport === 'udp' && rateLimiter?.enabled ? rateLimiter.decide(client, rateClass) : 'send';
      if (decision === 'send') return responder.renderHit(hit, packet, recursion);
      if (decision === 'drop') {
        rateLimitedCounts.dropped++;
        return undefined;
      }
      rateLimitedCounts.slipped++;
      return responder.truncatedHit(hit, packet, recursion);
    }
    const startedAt = timed ? arrivedAt : performance.now();
    const resolution = responder.respond(packet, transport, recursion);
    if (resolution.kind === 'drop') {
      countMalformed(transport);
      return undefined;
    }
    if (resolution.kind === 'reply') {
      if (resolution.rcode === Rcode.FORMERR) countMalformed(transport);
      countAnswer({
        transport,
        client,
        qtype: resolution.query?.qtype,
        rcode: resolution.rcode,
        requestBytes: packet.length,
        responseBytes: resolution.bytes.length,
        startedAt,
      });
      logQuery(transport, client, resolution.query, resolution.rcode, false);
      return limit(transport, client, resolution.query, resolution.bytes);
    }
    if (resolution.kind === 'pending') {
      const { query } = resolution;
      return resolution.reply.then(({ bytes, rcode }) => {
        countAnswer({ transport, client, qtype: query.qtype, rcode, requestBytes: packet.length, responseBytes: bytes.length, startedAt });
        logQuery(transport, client, query, rcode, false);
        return limit(transport, client, query, bytes);
      });
    }
    if (resolution.kind === 'transfer') {
      if (!transfers) return undefined;
      const reply = transfers.answer(packet, resolution.query, transport, client);
      const rcode = reply.kind === 'message' ? reply.rcode : Rcode.NOERROR;
      const responseBytes = reply.kind === 'message' ? reply.bytes.length : 0; // a stream's size is in the transfer log
      countAnswer({ transport, client, qtype: resolution.query.qtype, rcode, requestBytes: packet.length, responseBytes, startedAt });
      logQuery(transport, client, resolution.query, rcode, false);
      return reply.kind === 'message' ? reply.bytes : new MessageStream(reply.messages[Symbol.iterator]());
    }
    const query = resolution.query;
    if (!relay) return undefined; // the responder only relays when an upstream is configured
    if (!recursion) {
      // Not one of our clients: no recursion, so minilb is nobody's open resolver.
      relayRefused.inc();
      const bytes = responder.refusal(query, transport);
      countAnswer({ transport, client, qtype: query.qtype, rcode: Rcode.REFUSED, requestBytes: packet.length, responseBytes: bytes.length, startedAt });
      logQuery(transport, client, query, Rcode.REFUSED, false);
      return limit(transport, client, query, bytes);
    }
    return relay.relay(packet, query, transport).then((outcome) => {
      let reply: Buffer;
      if (outcome.ok) {
        reply = fitRelayed(responder, query, transport, outcome.reply);
      } else {
        upstreamFailures.labels(outcome.reason).inc();
        warnUpstream({ reason: outcome.reason, name: query.name });
        reply = responder.serverFailure(query, transport);
      }
      const rcode = reply.readUInt16BE(2) & 0xf;
      countAnswer({ transport, client, qtype: query.qtype, rcode, requestBytes: packet.length, responseBytes: reply.length, startedAt });
      logQuery(transport, client, query, rcode, true);
      return limit(transport, client, query, reply);
    });
  };
}

// The upstream answered for us: recursion was available (RA), and over UDP the reply must fit
// the client's size like our own answers (the upstream saw the client's EDNS size, which may
// be above our 1232 cap); one that does not fit goes out truncated so the client asks over TCP.
function fitRelayed(responder: Responder, query: ParsedQuery, transport: Transport, reply: Buffer): Buffer {
  if (transport === 'udp' && reply.length > sizeLimit(query, 'udp')) return responder.truncated(query, reply.readUInt16BE(2) & 0xf);
  reply.writeUInt16BE(reply.readUInt16BE(2) | HeaderFlag.RA, 2);
  return reply;
}

// The debug query log wants the name and type, which the fast path never reads.
function parsedFor(packet: Buffer): ParsedQuery | undefined {
  const parsed = parseQuery(packet);
  return parsed.kind === 'query' ? parsed.query : undefined;
}
