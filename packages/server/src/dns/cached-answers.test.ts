// The wire fast path: a repeated question is answered from the response cache straight from
// the packet's bytes. Every answer below is the second (or later) one for its question, so it
// comes from the cache; each must be what the full path would have answered this query.

import { describe, expect, it } from 'vitest';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { parseNetworkList } from '../config/network-list.js';
import { registry } from '../metrics.js';
import { createQueryHandler } from './query-handler.js';
import { Responder, type Transport } from './responder.js';
import { ResponseRateLimiter } from './response-rate-limiter.js';
import { EdnsKey, questionCacheKey } from './response-cache.js';
import { captureLog } from '../../testing/captured-log.js';
import { decodeResponse, encodeQuery, type DecodedResponse, type QueryOptions } from '../../testing/dns-test-client.js';
import { MapNameIndex } from '../../testing/map-name-index.js';

function setup(options: { rateLimiter?: ResponseRateLimiter } = {}) {
  const index = new MapNameIndex('minilb')
    .set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7'], aaaa: ['fd00:10:244:1::5'] })
    .set('many.shop.minilb', { a: Array.from({ length: 60 }, (_, i) => `10.244.3.${i + 1}`) })
    .set('alias.shop.minilb', { cname: 'paperless.sko.ai' })
    .set('paperless.sko.ai', { a: ['10.244.1.9'] });
  const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: false, cacheEntries: 1000 });
  const handle = createQueryHandler(responder, undefined, captureLog('warn').log, { rateLimiter: options.rateLimiter });
  const send = (packet: Buffer, transport: Transport = 'udp', client = '192.0.2.1'): Buffer | undefined => {
    const answer = handle(packet, transport, client);
    if (answer !== undefined && !Buffer.isBuffer(answer)) throw new Error('expected a synchronous answer');
    return answer;
  };
  const ask = (name: string, type: string, query: QueryOptions = {}, transport: Transport = 'udp'): DecodedResponse => {
    const answer = send(encodeQuery(name, type, query), transport);
    if (!answer) throw new Error(`no answer for ${name} ${type}`);
    return decodeResponse(answer);
  };
  return { index, send, ask };
}

const opt = (reply: DecodedResponse) => reply.packet.additionals?.find((r) => r.type === 'OPT') as { udpPayloadSize?: number; flags?: number } | undefined;
const rd = dnsPacket.RECURSION_DESIRED;
const tc = dnsPacket.TRUNCATED_RESPONSE;
const cd = 0x10;

async function cacheHits(): Promise<number> {
  const text = await registry.metrics();
  return Number(/^minilb_response_cache_lookups_total\{result="hit"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('answers from the response cache', () => {
  it('are served from the cache (and counted as hits) once a question was answered', async () => {
    const { ask } = setup();
    ask('web.shop.minilb', 'A');
    const before = await cacheHits();
    for (let i = 0; i < 5; i++) expect(ask('web.shop.minilb', 'A').packet.answers).toHaveLength(2);
    expect((await cacheHits()) - before).toBe(5);
  });

  it('echo the client’s letter case in the question and the answers, whatever case filled the cache', () => {
    const { ask } = setup();
    ask('web.shop.minilb', 'A');
    const mixed = ask('wEb.ShOp.MiNiLb', 'A');
    expect(mixed.packet.questions?.[0]?.name).toBe('wEb.ShOp.MiNiLb');
    expect(mixed.packet.answers?.map((r) => r.name)).toEqual(['wEb.ShOp.MiNiLb', 'wEb.ShOp.MiNiLb']);
    const lower = ask('web.shop.minilb', 'A');
    expect(lower.packet.questions?.[0]?.name).toBe('web.shop.minilb');
    expect(lower.packet.answers?.map((r) => r.name)).toEqual(['web.shop.minilb', 'web.shop.minilb']);
  });

  it('carry this query’s ID, RD and CD bits, not those of the query that filled the cache', () => {
    const { ask, send } = setup();
    ask('web.shop.minilb', 'A', { id: 1, recursionDesired: true });
    const noRd = ask('web.shop.minilb', 'A', { id: 4242, recursionDesired: false });
    expect(noRd.packet.id).toBe(4242);
    expect(noRd.flags & rd).toBe(0);
    const withRd = ask('web.shop.minilb', 'A', { id: 7, recursionDesired: true });
    expect(withRd.packet.id).toBe(7);
    expect(withRd.flags & rd).toBe(rd);
    expect(withRd.flags & cd).toBe(0);
    const withCd = encodeQuery('web.shop.minilb', 'A', { id: 9 });
    withCd[3] = withCd[3]! | cd;
    const reply = decodeResponse(send(withCd)!);
    expect(reply.packet.id).toBe(9);
    expect(reply.flags & cd).toBe(cd);
    expect(reply.packet.answers).toHaveLength(2);
  });

  it('keep EDNS answers from non-EDNS clients and the other way round, DO echoed only when asked', () => {
    const { ask } = setup();
    ask('web.shop.minilb', 'A', { edns: { udpPayloadSize: 1232, dnssecOk: true } });
    const plain = ask('web.shop.minilb', 'A');
    expect(opt(plain)).toBeUndefined();
    const edns = ask('web.shop.minilb', 'A', { edns: { udpPayloadSize: 1232 } });
    expect(opt(edns)?.udpPayloadSize).toBe(1232);
    expect((opt(edns)?.flags ?? 0) & dnsPacket.DNSSEC_OK).toBe(0);
    const dnssecOk = ask('web.shop.minilb', 'A', { edns: { udpPayloadSize: 1232, dnssecOk: true } });
    expect((opt(dnssecOk)?.flags ?? 0) & dnsPacket.DNSSEC_OK).toBe(dnsPacket.DNSSEC_OK);
    expect(opt(ask('web.shop.minilb', 'A'))).toBeUndefined();
  });

  it('fit each client’s own UDP size: 512 without EDNS, its EDNS size, everything over TCP', () => {
    const { ask } = setup();
    for (let round = 0; round < 2; round++) {
      const big = ask('many.shop.minilb', 'A', { edns: { udpPayloadSize: 1232 } });
      expect(big.bytes.length).toBeLessThanOrEqual(1232);
      const classic = ask('many.shop.minilb', 'A');
      expect(classic.bytes.length).toBeLessThanOrEqual(512);
      expect(classic.flags & tc).toBe(tc);
      const small = ask('many.shop.minilb', 'A', { edns: { udpPayloadSize: 700 } });
      expect(small.bytes.length).toBeLessThanOrEqual(700);
      expect(small.bytes.length).toBeGreaterThan(512);
      const tcp = ask('many.shop.minilb', 'A', {}, 'tcp');
      expect(tcp.packet.answers).toHaveLength(60);
      expect(tcp.flags & tc).toBe(0);
    }
  });

  it('never answer EDNS version 1 from a cached version 0 answer (BADVERS)', () => {
    const { ask } = setup();
    ask('web.shop.minilb', 'A', { edns: { version: 0 } });
    ask('web.shop.minilb', 'A', { edns: { version: 0 } });
    const v1 = ask('web.shop.minilb', 'A', { edns: { version: 1 } });
    expect(v1.rcode).toBe('BADVERS');
    expect(v1.packet.answers).toEqual([]);
  });

  it('show the index’s change at once', () => {
    const { ask, index } = setup();
    ask('web.shop.minilb', 'A');
    expect(ask('web.shop.minilb', 'A').packet.answers).toHaveLength(2);
    index.set('web.shop.minilb', { a: ['10.244.9.9'] });
    expect(ask('web.shop.minilb', 'A').packet.answers?.map((r) => r.data)).toEqual(['10.244.9.9']);
    index.delete('web.shop.minilb');
    expect(ask('web.shop.minilb', 'A').rcode).toBe('NXDOMAIN');
  });

  it('still follow a CNAME to its target only when the query asks for recursion', () => {
    const { ask } = setup();
    const bare = () => ask('alias.shop.minilb', 'A', { recursionDesired: false }).packet.answers?.map((r) => r.type);
    const chased = () => ask('alias.shop.minilb', 'A', { recursionDesired: true }).packet.answers?.map((r) => r.type);
    expect(bare()).toEqual(['CNAME']);
    expect(bare()).toEqual(['CNAME']);
    expect(chased()).toEqual(['CNAME', 'A']);
    expect(bare()).toEqual(['CNAME']);
    expect(chased()).toEqual(['CNAME', 'A']);
  });

  it('are never given to a query the full parser refuses or drops, for the same question', () => {
    const { ask, send } = setup();
    ask('web.shop.minilb', 'A', { edns: {} });
    ask('web.shop.minilb', 'A');
    const query = () => encodeQuery('web.shop.minilb', 'A', { id: 77 });
    const rcodeOf = (packet: Buffer) => decodeResponse(send(packet)!).rcode;

    const response = query();
    response[2] = response[2]! | 0x80; // QR: a response, never answered
    expect(send(response)).toBeUndefined();
    const notify = query();
    notify[2] = (notify[2]! & 0x87) | (4 << 3); // opcode NOTIFY
    expect(rcodeOf(notify)).toBe('NOTIMP');
    const chaos = encodeQuery('web.shop.minilb', 'A', { qclass: 'CH' });
    expect(rcodeOf(chaos)).toBe('REFUSED');
    // A second OPT, and an OPT not owned by the root.
    const withOpt = encodeQuery('web.shop.minilb', 'A', { edns: {} });
    const twoOpts = Buffer.concat([withOpt, withOpt.subarray(withOpt.length - 11)]);
    twoOpts.writeUInt16BE(2, 10);
    expect(rcodeOf(twoOpts)).toBe('FORMERR');
    const notRoot = Buffer.concat([withOpt.subarray(0, withOpt.length - 11), Buffer.from([1, 0x61, 0]), withOpt.subarray(withOpt.length - 10)]);
    expect(rcodeOf(notRoot)).toBe('FORMERR');
    // An OPT whose data runs past the end of the packet.
    const cut = Buffer.from(withOpt);
    cut.writeUInt16BE(8, cut.length - 2);
    expect(rcodeOf(cut)).toBe('FORMERR');
    // The question cut short.
    expect(rcodeOf(query().subarray(0, 12 + 5))).toBe('FORMERR');
    // Every one of them left the cached answer as it was.
    expect(ask('web.shop.minilb', 'A').packet.answers).toHaveLength(2);
  });

  it('are rate limited like any other UDP answer: within the rate sent, past it dropped or slipped truncated', () => {
    const limiter = new ResponseRateLimiter({ rate: 3, slip: 2, exempt: parseNetworkList('') });
    const { send } = setup({ rateLimiter: limiter });
    const replies = Array.from({ length: 9 }, () => send(encodeQuery('web.shop.minilb', 'A')));
    expect(replies.slice(0, 3).map((r) => decodeResponse(r!).packet.answers?.length)).toEqual([2, 2, 2]);
    const limited = replies.slice(3);
    expect(limited.map((r) => (r === undefined ? 'dropped' : 'slipped'))).toEqual(['dropped', 'slipped', 'dropped', 'slipped', 'dropped', 'slipped']);
    for (const slip of limited.filter((r) => r !== undefined)) {
      const reply = decodeResponse(slip);
      expect(reply.flags & tc).toBe(tc);
      expect(reply.packet.answers).toEqual([]);
      expect(reply.packet.questions?.[0]?.name).toBe('web.shop.minilb');
    }
    // TCP is never limited (its source cannot be spoofed).
    expect(decodeResponse(send(encodeQuery('web.shop.minilb', 'A'), 'tcp')!).packet.answers).toHaveLength(2);
  });
});

describe('the response cache key', () => {
  const key = (name: string, edit: (packet: Buffer) => void = () => {}) => {
    const packet = encodeQuery(name, 'A');
    edit(packet);
    return questionCacheKey(packet, 12, packet.length, EdnsKey.NONE, 512);
  };
  const typeAt = (type: number) => (packet: Buffer) => packet.writeUInt16BE(type, packet.length - 4);
  it('folds the case of ASCII letters in the name only: never other bytes, never the type', () => {
    expect(key('WEB.shop.minilb')).toBe(key('web.SHOP.minilb'));
    // Type 65 (HTTPS) is 0x0041, the byte of "A"; type 97 is 0x0061, the byte of "a".
    expect(key('web.shop.minilb', typeAt(65))).not.toBe(key('web.shop.minilb', typeAt(97)));
    // Latin-1 capitals are other names (DNS folds ASCII only): 0xC0 is not 0xE0.
    expect(key('x.shop.minilb', (p) => (p[13] = 0xc0))).not.toBe(key('x.shop.minilb', (p) => (p[13] = 0xe0)));
    expect(key('x.shop.minilb', (p) => (p[13] = 0x58))).toBe(key('x.shop.minilb', (p) => (p[13] = 0x78))); // X, x
  });
});
