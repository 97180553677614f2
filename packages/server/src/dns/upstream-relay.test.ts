import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { upstreamFailures } from '../metrics.js';
import { startDnsServer, type DnsServerOptions } from './dns-server.js';
import { captureLog } from '../../testing/captured-log.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { decodeResponse, encodeQuery, tcpQuery, udpExchange, udpQuery } from '../../testing/dns-test-client.js';
import { parseNetworkList } from '../config/network-list.js';
import { parseListenAddress, parseUpstreamAddress } from '../config/host-port.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The upstream is a second minilb, authoritative for its own zone.
async function upstreamServer() {
  const index = new MapNameIndex('upstream.test')
    .set('www.upstream.test', { a: ['192.0.2.10'] })
    .set('big.upstream.test', { a: Array.from({ length: 80 }, (_, i) => `192.0.2.${i + 1}`) });
  const server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index, log: captureLog().log });
  cleanups.push(() => server.close());
  return server;
}

// A bound socket that swallows every query: an upstream that is down without refusing.
async function deadUpstream(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}

async function relayingServer(upstream: string[], options: Partial<DnsServerOptions> = {}) {
  const index = new MapNameIndex('minilb').set('web.shop.minilb', { a: ['10.244.1.5'] });
  const captured = captureLog();
  const server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index, log: captured.log, upstream: upstream.map(parseUpstreamAddress), ...options });
  cleanups.push(() => server.close());
  return { server, captured };
}

async function failures(reason: string): Promise<number> {
  const metric = await upstreamFailures.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('relaying to the upstream', () => {
  it('passes the upstream’s answer through with the client’s ID', async () => {
    const upstream = await upstreamServer();
    const { server } = await relayingServer([`127.0.0.1:${upstream.port}`]);
    const reply = await udpQuery(server.port, 'WWW.upstream.test', 'A', { id: 31337 });
    expect(reply.packet.id).toBe(31337);
    expect(reply.packet.questions?.[0]?.name).toBe('WWW.upstream.test');
    expect(reply.packet.answers?.map((r) => r.data)).toEqual(['192.0.2.10']);
    // The upstream's own flags come through: it is authoritative for its zone.
    expect(reply.flags & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
    const nx = await udpQuery(server.port, 'missing.upstream.test', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.packet.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'upstream.test' });
  });

  it('claims recursion (RA) only to clients in -upstream-allow, on cached and rate-limited answers too', async () => {
    const upstream = await upstreamServer();
    const { server } = await relayingServer([`127.0.0.1:${upstream.port}`], {
      upstreamAllow: parseNetworkList('127.0.0.1/32'),
      rateLimit: { rate: 1, slip: 1, exempt: parseNetworkList('') },
    });
    const ask = async (name: string, from: string) => decodeResponse((await udpExchange(server.port, encodeQuery(name, 'A'), 2000, '127.0.0.1', from))!);
    const ra = (reply: { flags: number }) => (reply.flags & dnsPacket.RECURSION_AVAILABLE) !== 0;
    const insider = await ask('web.shop.minilb', '127.0.0.1');
    expect(insider.packet.answers?.[0]?.data).toBe('10.244.1.5');
    expect(ra(insider)).toBe(true);
    expect(ra(await ask('www.upstream.test', '127.0.0.1'))).toBe(true);
    // 127.0.1.1 is outside: the same answer, now from the response cache, without RA; the
    // REFUSED for a name only the upstream knows, and the rate limiter's slip, likewise.
    const outsider = await ask('web.shop.minilb', '127.0.1.1');
    expect(outsider.packet.answers?.[0]?.data).toBe('10.244.1.5');
    expect(ra(outsider)).toBe(false);
    const refused = await ask('www.upstream.test', '127.0.1.1');
    expect(refused.rcode).toBe('REFUSED');
    expect(ra(refused)).toBe(false);
    const slipped = await ask('web.shop.minilb', '127.0.1.1');
    expect(slipped.flags & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
    expect(ra(slipped)).toBe(false);
  });

  it('still answers its own zone, and never relays it', async () => {
    const upstream = await upstreamServer();
    const { server } = await relayingServer([`127.0.0.1:${upstream.port}`]);
    expect((await udpQuery(server.port, 'web.shop.minilb', 'A')).packet.answers?.[0]?.data).toBe('10.244.1.5');
    const nx = await udpQuery(server.port, 'nope.minilb', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.packet.authorities?.[0]).toMatchObject({ name: 'minilb' });
    expect((await udpQuery(server.port, '.', 'NS')).rcode).toBe('NOERROR');
  });

  it('returns a truncated upstream answer to UDP clients and fetches it over TCP for TCP clients', async () => {
    const upstream = await upstreamServer();
    const { server } = await relayingServer([`127.0.0.1:${upstream.port}`]);
    const udp = await udpQuery(server.port, 'big.upstream.test', 'A');
    expect(udp.flags & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
    const tcp = await tcpQuery(server.port, 'big.upstream.test', 'A');
    expect(tcp.flags & dnsPacket.TRUNCATED_RESPONSE).toBe(0);
    expect(tcp.packet.answers).toHaveLength(80);
  });

  it('answers SERVFAIL within the timeout when the upstream is dead, while zone answers stay fast', async () => {
    const dead = await deadUpstream();
    const { server } = await relayingServer([`127.0.0.1:${dead}`], { upstreamTimeoutMs: 400 });
    const before = await failures('timeout');
    const startedAt = Date.now();
    const relayed = udpQuery(server.port, 'example.org', 'A', { id: 4 });
    const zoneTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const askedAt = Date.now();
      expect((await udpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
      zoneTimes.push(Date.now() - askedAt);
    }
    const reply = await relayed;
    const elapsed = Date.now() - startedAt;
    expect(reply.rcode).toBe('SERVFAIL');
    expect(reply.packet.id).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1000);
    expect(Math.max(...zoneTimes)).toBeLessThan(100);
    expect(await failures('timeout')).toBe(before + 1);
    // The same over TCP.
    expect((await tcpQuery(server.port, 'example.org', 'A')).rcode).toBe('SERVFAIL');
  });

  it('tries the next upstream when one is dead, then goes straight to the live one', async () => {
    const dead = await deadUpstream();
    const live = await upstreamServer();
    const { server } = await relayingServer([`127.0.0.1:${dead}`, `127.0.0.1:${live.port}`], { upstreamTimeoutMs: 600 });
    const firstAt = Date.now();
    const first = await udpQuery(server.port, 'www.upstream.test', 'A');
    expect(first.packet.answers?.[0]?.data).toBe('192.0.2.10');
    expect(Date.now() - firstAt).toBeLessThan(600);
    const secondAt = Date.now();
    expect((await udpQuery(server.port, 'www.upstream.test', 'A')).rcode).toBe('NOERROR');
    expect(Date.now() - secondAt).toBeLessThan(100);
  });
});
