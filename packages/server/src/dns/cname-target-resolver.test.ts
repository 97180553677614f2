import { afterEach, describe, expect, it } from 'vitest';
import { CnameTargetResolver, type TargetLookup } from './cname-target-resolver.js';
import { startDnsServer, type DnsServerOptions } from './dns-server.js';
import { RecordType } from './protocol-numbers.js';
import { captureLog } from '../../testing/captured-log.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { decodeResponse, encodeQuery, tcpQuery, udpExchange, udpQuery } from '../../testing/dns-test-client.js';
import { parseNetworkList } from '../config/network-list.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// "The internet": a second server, authoritative for example.net, where the CNAME targets live.
async function internet() {
  const index = new MapNameIndex('example.net')
    .set('lb.example.net', { a: ['203.0.113.10', '203.0.113.11'], aaaa: ['2001:db8::10'] });
  const server = await startDnsServer({ listen: { host: '127.0.0.1', port: 0 }, index, log: captureLog().log, ttl: 30 });
  cleanups.push(() => server.close());
  return server;
}

async function minilb(options: Partial<DnsServerOptions>) {
  const index = new MapNameIndex('minilb')
    .set('ext.sko.ai', { cname: 'lb.example.net' })
    .set('gone.sko.ai', { cname: 'nothing.example.net' })
    .set('local.sko.ai', { cname: 'paperless.sko.ai' })
    .set('paperless.sko.ai', { a: ['10.244.1.9'] });
  const server = await startDnsServer({ listen: { host: '127.0.0.1', port: 0 }, index, log: captureLog().log, ...options });
  cleanups.push(() => server.close());
  return server;
}

describe('out-of-zone CNAME targets', () => {
  it.each(['upstream', 'system'] as const)('are resolved through %s for a recursive query: the CNAME, then the addresses', async (mode) => {
    const net = await internet();
    const server = await minilb(
      mode === 'upstream'
        ? { upstream: [{ host: '127.0.0.1', port: net.port }], cnameResolver: 'upstream' }
        : { cnameResolver: 'system', cnameResolverServers: [`127.0.0.1:${net.port}`] },
    );
    const reply = await udpQuery(server.port, 'Ext.sko.ai', 'A');
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.packet.answers?.[0]).toMatchObject({ type: 'CNAME', name: 'Ext.sko.ai', data: 'lb.example.net', ttl: 5 });
    expect(reply.packet.answers?.slice(1).map((r) => [r.type, r.name, r.data]).sort()).toEqual([
      ['A', 'lb.example.net', '203.0.113.10'],
      ['A', 'lb.example.net', '203.0.113.11'],
    ]);
    expect(reply.packet.answers?.slice(1).every((r) => r.ttl! > 0 && r.ttl! <= 30)).toBe(true);
    const aaaa = await tcpQuery(server.port, 'ext.sko.ai', 'AAAA');
    expect(aaaa.packet.answers?.map((r) => r.data)).toEqual(['lb.example.net', '2001:db8::10']);
  });

  it('answer the bare CNAME without RD, when the target does not resolve, and when the resolver is off', async () => {
    const net = await internet();
    const server = await minilb({ upstream: [{ host: '127.0.0.1', port: net.port }], cnameResolver: 'upstream' });
    const iterative = await udpQuery(server.port, 'ext.sko.ai', 'A', { recursionDesired: false });
    expect(iterative.packet.answers).toEqual([expect.objectContaining({ type: 'CNAME', data: 'lb.example.net' })]);
    const missing = await udpQuery(server.port, 'gone.sko.ai', 'A');
    expect(missing.rcode).toBe('NOERROR');
    expect(missing.packet.answers).toEqual([expect.objectContaining({ type: 'CNAME', data: 'nothing.example.net' })]);
    const off = await minilb({ upstream: [{ host: '127.0.0.1', port: net.port }], cnameResolver: 'off' });
    expect((await udpQuery(off.port, 'ext.sko.ai', 'A')).packet.answers).toHaveLength(1);
  });

  it('answer a target minilb serves itself from the index, without any resolver', async () => {
    const server = await minilb({});
    const reply = await udpQuery(server.port, 'local.sko.ai', 'A');
    expect(reply.packet.answers?.map((r) => `${r.name} ${r.type} ${r.data}`)).toEqual([
      'local.sko.ai CNAME paperless.sko.ai',
      'paperless.sko.ai A 10.244.1.9',
    ]);
  });

  it('are looked up only for clients in -upstream-allow, as a relay is: others get the bare CNAME, never the cached target', async () => {
    const net = await internet();
    const server = await minilb({ upstream: [{ host: '127.0.0.1', port: net.port }], cnameResolver: 'upstream', upstreamAllow: parseNetworkList('127.0.0.1/32') });
    // 127.0.1.1 is outside the allow list; 127.0.0.1 is inside.
    const outsider = async () => decodeResponse((await udpExchange(server.port, encodeQuery('ext.sko.ai', 'A'), 2000, '127.0.0.1', '127.0.1.1'))!);
    const before = await outsider();
    expect(before.packet.answers?.map((r) => r.type)).toEqual(['CNAME']);
    expect(before.flags & 0x0080).toBe(0); // no RA: we do not recurse for it
    const insider = await udpQuery(server.port, 'ext.sko.ai', 'A');
    expect(insider.packet.answers?.map((r) => r.type)).toEqual(['CNAME', 'A', 'A']);
    const after = await outsider();
    expect(after.packet.answers?.map((r) => r.type)).toEqual(['CNAME']);
    // A target in our own records is no recursion: it is followed for everyone.
    const local = decodeResponse((await udpExchange(server.port, encodeQuery('local.sko.ai', 'A'), 2000, '127.0.0.1', '127.0.1.1'))!);
    expect(local.packet.answers?.map((r) => r.type)).toEqual(['CNAME', 'A']);
  });

  it('give the bare CNAME, in time, when the resolver cannot be reached', async () => {
    // A port nothing listens on.
    const server = await minilb({ cnameResolver: 'system', cnameResolverServers: ['127.0.0.1:9'], cnameTimeoutMs: 300 });
    const started = Date.now();
    const reply = await udpQuery(server.port, 'ext.sko.ai', 'A');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(reply.packet.answers).toEqual([expect.objectContaining({ type: 'CNAME' })]);
  });
});

describe('the CNAME target cache', () => {
  const address = (ttl: number) => [{ owner: 't.example', ttl, data: { type: RecordType.A, address: new Uint8Array([192, 0, 2, 1]) } }];

  it('honours the target’s TTL, counting it down, and asks again once it expires', async () => {
    let now = 1_000_000;
    let lookups = 0;
    const lookup: TargetLookup = async () => {
      lookups++;
      return address(30);
    };
    const resolver = new CnameTargetResolver({ lookup, timeoutMs: 1000, now: () => now });
    await resolver.resolve('t.example', RecordType.A);
    now += 20_000;
    expect(resolver.cached('t.example', RecordType.A)?.records?.[0]?.ttl).toBe(10);
    await resolver.resolve('t.example', RecordType.A);
    expect(lookups).toBe(1);
    now += 10_001;
    expect(resolver.cached('t.example', RecordType.A)).toBeUndefined();
    await resolver.resolve('t.example', RecordType.A);
    expect(lookups).toBe(2);
  });

  it('stays within its bound, shares one lookup between concurrent queries, and remembers failures briefly', async () => {
    let lookups = 0;
    const lookup: TargetLookup = async (name) => {
      lookups++;
      return name.startsWith('bad') ? undefined : address(300);
    };
    const resolver = new CnameTargetResolver({ lookup, timeoutMs: 1000, maxEntries: 50 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => resolver.resolve(`t${i}.example`, RecordType.A)));
    expect(resolver.cachedTargets).toBe(50);
    lookups = 0;
    await Promise.all(Array.from({ length: 20 }, () => resolver.resolve('same.example', RecordType.A)));
    expect(lookups).toBe(1);
    expect(await resolver.resolve('bad.example', RecordType.A)).toBeUndefined();
    expect(await resolver.resolve('bad.example', RecordType.A)).toBeUndefined();
    expect(lookups).toBe(2);
  });

  it('gives up at the timeout even when the lookup never returns', async () => {
    const resolver = new CnameTargetResolver({ lookup: () => new Promise(() => {}), timeoutMs: 50 });
    expect(await resolver.resolve('slow.example', RecordType.A)).toBeUndefined();
  });
});
