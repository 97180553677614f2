// One query in, at most one response out, for either transport: the responder's answer, or the
// upstream's via the relay (SERVFAIL when it fails), with metrics and the debug query log.

import type { Logger } from '../log.js';
import { upstreamFailures } from '../metrics.js';
import { Rcode, typeLabel } from './protocol-numbers.js';
import type { ParsedQuery } from './query-parser.js';
import type { Responder, Transport } from './responder.js';
import { countAnswer, countMalformed } from './query-metrics.js';
import { throttledWarning } from './throttled-warning.js';
import type { UpstreamRelay } from './upstream-relay.js';

// Synchronous whenever the answer is local, so zone answers never wait on a promise.
export type QueryHandler = (packet: Buffer, transport: Transport, client: string) => Buffer | undefined | Promise<Buffer | undefined>;

export function createQueryHandler(responder: Responder, relay: UpstreamRelay | undefined, log: Logger): QueryHandler {
  const warnUpstream = throttledWarning(log, 'upstream relay failed; clients got SERVFAIL');
  const logQuery = (transport: Transport, client: string, query: ParsedQuery | undefined, rcode: number, relayed: boolean): void => {
    if (!log.isLevelEnabled('debug')) return;
    log.debug(
      { transport, client, name: query?.name, qtype: query ? typeLabel(query.qtype) : undefined, rcode, relayed },
      'dns query',
    );
  };

  return (packet, transport, client) => {
    const startedAt = process.hrtime.bigint();
    const resolution = responder.respond(packet, transport);
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
      return resolution.bytes;
    }
    if (resolution.kind === 'pending') {
      const { query } = resolution;
      return resolution.reply.then(({ bytes, rcode }) => {
        countAnswer({ transport, client, qtype: query.qtype, rcode, requestBytes: packet.length, responseBytes: bytes.length, startedAt });
        logQuery(transport, client, query, rcode, false);
        return bytes;
      });
    }
    const query = resolution.query;
    if (!relay) return undefined; // the responder only relays when an upstream is configured
    return relay.relay(packet, query, transport).then((outcome) => {
      let reply: Buffer;
      if (outcome.ok) {
        reply = outcome.reply;
      } else {
        upstreamFailures.labels(outcome.reason).inc();
        warnUpstream({ reason: outcome.reason, name: query.name });
        reply = responder.serverFailure(query, transport);
      }
      const rcode = reply.readUInt16BE(2) & 0xf;
      countAnswer({ transport, client, qtype: query.qtype, rcode, requestBytes: packet.length, responseBytes: reply.length, startedAt });
      logQuery(transport, client, query, rcode, true);
      return reply;
    });
  };
}
