// The prober against real TCP listeners on loopback, feeding a real record index.

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordIndex } from '../index/record-index.js';
import { createLogger } from '../log.js';
import { node, service, slice } from '../../testing/objects.fixture.js';
import type { ProbeResult } from './endpoint-state.js';
import { Prober, type HealthCheckSettings } from './prober.js';
import { startDnsServer } from '../dns/dns-server.js';
import { parseListenAddress } from '../config/host-port.js';
import { udpQuery } from '../../testing/dns-test-client.js';
import { startHttpServer } from '../http/http-server.js';

const fast: HealthCheckSettings = { defaultMode: 'none', intervalMs: 60, timeoutMs: 300, fall: 2, rise: 1, maxConcurrent: 16, perSecond: 1000 };
const log = createLogger('silent');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, host, () => {
      cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
      resolve(server);
    });
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function answers(index: RecordIndex, name = 'web.shop.minilb'): string[] {
  const r = index.lookup(name);
  return r.kind === 'found' ? [...r.answers.a].sort() : [];
}

function start(index: RecordIndex, settings: HealthCheckSettings = fast, probe?: (a: string, p: number, t: number) => Promise<ProbeResult>) {
  const prober = new Prober({ index, settings, log, ...(probe ? { probe } : {}) });
  prober.start();
  cleanups.push(() => prober.stop());
  return prober;
}

describe('prober', () => {
  it('drops an endpoint whose port is closed after `fall` probes, brings it back when it listens, fails open when all are down', async () => {
    const up = await listen('127.0.0.1', 0);
    const port = (up.address() as { port: number }).port;
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(service('shop', 'web', { annotations: { 'minilb/health-check': 'tcp' }, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }]));
    start(index);
    await until('127.0.0.2 left the answers', () => answers(index).join() === '127.0.0.1');
    const ep = index.explain('web.shop.minilb').services[0]!.endpoints.find((e) => e.address === '127.0.0.2')!;
    expect(ep).toMatchObject({ health: 'down', healthDetail: 'ECONNREFUSED', answered: false });
    await until('127.0.0.1 probed up', () => index.explain('web.shop.minilb').services[0]!.endpoints[0]!.health === 'up');

    await listen('127.0.0.2', port);
    await until('127.0.0.2 back', () => answers(index).join() === '127.0.0.1,127.0.0.2');

    await new Promise<void>((r) => up.close(() => r()));
    for (const c of cleanups.splice(0)) await c(); // both listeners and the prober... restart the prober
    start(index);
    // No listener at all: after `fall` failures each, every endpoint is down and all are answered.
    await until('fail open', () => index.explain('web.shop.minilb').services[0]!.failOpen);
    expect(answers(index)).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('changes what DNS clients get as soon as a state changes: the response cache is dropped', async () => {
    const up = await listen('127.0.0.1', 0);
    const port = (up.address() as { port: number }).port;
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(service('shop', 'web', { annotations: { 'minilb/health-check': 'tcp' }, ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '127.0.0.1' }, { ip: '127.0.0.4' }]));
    const dns = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index, log });
    cleanups.push(() => dns.close());
    const dnsAnswers = async () => {
      const r = await udpQuery(dns.port, 'web.shop.minilb', 'A');
      return (r.packet.answers ?? []).map((a) => String(a.data)).sort();
    };
    // Cached before any probe ran.
    expect(await dnsAnswers()).toEqual(['127.0.0.1', '127.0.0.4']);
    expect(await dnsAnswers()).toEqual(['127.0.0.1', '127.0.0.4']);
    start(index);
    const deadline = Date.now() + 5000;
    while ((await dnsAnswers()).length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await dnsAnswers()).toEqual(['127.0.0.1']);
  });

  it('never probes Services that do not ask for it, UDP-only ones, or endpoints that left the index', async () => {
    const probed: string[] = [];
    const probe = async (address: string, port: number): Promise<ProbeResult> => {
      probed.push(`${address}:${port}`);
      return { ok: true, detail: 'connected' };
    };
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(service('shop', 'web', { annotations: { 'minilb/health-check': 'tcp:8080' } }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '10.244.1.5' }]));
    index.upsert(service('shop', 'plain'));
    index.upsert(slice('shop', 'plain-a', 'plain', 'IPv4', [{ ip: '10.244.1.6' }]));
    index.upsert(service('shop', 'dns', { annotations: { 'minilb/health-check': 'tcp' }, ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }] }));
    index.upsert(slice('shop', 'dns-a', 'dns', 'IPv4', [{ ip: '10.244.1.7' }], [{ name: 'dns', port: 53, protocol: 'UDP' }]));
    const prober = start(index, { ...fast, defaultMode: 'none' }, probe);
    await until('a few probes', () => probed.length >= 3);
    expect(new Set(probed)).toEqual(new Set(['10.244.1.5:8080']));

    index.remove('EndpointSlice', 'shop', 'web-a');
    await until('no targets left', () => prober.size === 0);
    const count = probed.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(probed.length).toBeLessThanOrEqual(count + 1); // at most one that was already in flight
  });

  it('suspects a node whose probed endpoints all time out, demotes its un-probed endpoints, and clears it when a probe there succeeds', async () => {
    let n1Dead = false;
    const probe = async (address: string): Promise<ProbeResult> =>
      n1Dead && address.startsWith('10.244.1.') ? { ok: false, kind: 'timeout', detail: 'no connection within 300 ms' } : { ok: true, detail: 'connected' };
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    for (const n of ['n1', 'n2']) index.upsert(node(n));
    index.upsert(service('shop', 'web', { annotations: { 'minilb/health-check': 'tcp' } }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '10.244.1.5', node: 'n1' }, { ip: '10.244.1.6', node: 'n1' }, { ip: '10.244.2.5', node: 'n2' }]));
    // Not probed: only the node inference can move it.
    index.upsert(service('shop', 'db'));
    index.upsert(slice('shop', 'db-a', 'db', 'IPv4', [{ ip: '10.244.1.9', node: 'n1' }, { ip: '10.244.2.9', node: 'n2' }]));
    start(index, fast, probe);
    await until('first probes', () => index.explain('web.shop.minilb').services[0]!.endpoints.every((e) => e.health === 'up'));
    expect(answers(index, 'db.shop.minilb')).toEqual(['10.244.1.9', '10.244.2.9']);

    n1Dead = true;
    await until('n1 suspect', () => index.suspects().has('n1'));
    expect(answers(index)).toEqual(['10.244.2.5']);
    expect(answers(index, 'db.shop.minilb')).toEqual(['10.244.2.9']);
    expect(index.explain('db.shop.minilb').services[0]!.endpoints[0]!.demoted).toMatch(/^node suspect since/);
    expect(index.endpointStates()).toMatchObject({ suspectNodes: 1 });
    const http = await startHttpServer({ listen: parseListenAddress('127.0.0.1:0'), index, log, healthy: () => ({ ok: true, detail: 'ok' }) });
    cleanups.push(() => http.close());
    const report = (await (await fetch(`http://127.0.0.1:${http.port}/v1/endpoint-health`)).json()) as ReturnType<RecordIndex['healthReport']>;
    expect(Object.keys(report.suspectNodes)).toEqual(['n1']);
    expect(report.endpoints.map((e) => `${e.service} ${e.address} ${e.health}`).sort()).toEqual([
      'shop/db 10.244.1.9 unchecked',
      'shop/web 10.244.1.5 down',
      'shop/web 10.244.1.6 down',
    ]);

    n1Dead = false;
    await until('n1 cleared', () => !index.suspects().has('n1'));
    await until('all answered again', () => answers(index, 'db.shop.minilb').length === 2 && answers(index).length === 3);
  });

  it('keeps 1,000 endpoints inside the budget: concurrent connects and starts per second', async () => {
    let open = 0;
    let maxOpen = 0;
    const starts: number[] = [];
    const probe = async (): Promise<ProbeResult> => {
      starts.push(performance.now());
      maxOpen = Math.max(maxOpen, ++open);
      await new Promise((r) => setTimeout(r, 30));
      open--;
      return { ok: true, detail: 'connected' };
    };
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(service('shop', 'web', { annotations: { 'minilb/health-check': 'tcp' } }));
    const eps = Array.from({ length: 1000 }, (_, i) => ({ ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', eps));
    const settings = { ...fast, intervalMs: 100, maxConcurrent: 8, perSecond: 200 };
    const started = performance.now();
    start(index, settings, probe);
    await new Promise((r) => setTimeout(r, 1000));
    const elapsed = performance.now() - started;
    expect(maxOpen).toBeLessThanOrEqual(8);
    // The rate plus one burst (a tenth of a second), whatever the interval asks for.
    expect(starts.length).toBeLessThanOrEqual((200 * elapsed) / 1000 + 20);
    expect(starts.length).toBeGreaterThan(20);
  });
});
