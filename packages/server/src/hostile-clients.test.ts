// One attacker on the LAN against the built server (issue 10): each finding is reproduced on
// loopback, bounded in time and count, the attacker in its own process (another host's CPU).
// While it runs, a legitimate client keeps asking over UDP and TCP: every query must be
// answered, the median within 100 ms (one probe can be stalled by a busy CI machine's
// scheduler, so the median is what is held to 100 ms), and RSS must stay under RSS_BOUND_MIB.

import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttack } from '../testing/attack.js';
import { attackerAddress, writeBigService, type FloodResult, type HeldSummary, type HttpFloodResult } from '../testing/attackers.js';
import { decodeResponse, encodeQuery, tcpQuery, udpExchange } from '../testing/dns-test-client.js';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { demoCluster, median, probeSeries, startBuiltServer, type BuiltServer } from '../testing/built-server.js';

// Three quarters of the 256 MiB memory limit the deploy manifests set; an idle server on the
// demo cluster sits near 70 MiB.
const RSS_BOUND_MIB = 192;

async function expectStillServing(server: BuiltServer, probes = 5): Promise<void> {
  expect(server.child.exitCode, `server exited:\n${server.output().slice(-2000)}`).toBeNull();
  const { udp, tcp } = await probeSeries(server.dnsPort, probes);
  expect(udp.every(Number.isFinite), `every legitimate UDP query answered: ${udp.map(Math.round)}`).toBe(true);
  expect(tcp.every(Number.isFinite), `every legitimate TCP query answered: ${tcp.map(Math.round)}`).toBe(true);
  expect(median(udp), `legitimate UDP answers in ms: ${udp.map(Math.round)}`).toBeLessThan(100);
  expect(median(tcp), `legitimate TCP answers in ms: ${tcp.map(Math.round)}`).toBeLessThan(100);
  expect(server.rssMiB()).toBeLessThan(RSS_BOUND_MIB);
}

// Opens `count` TCP connections that send nothing; resolves once every one is connected.
async function holdIdleConnections(port: number, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  await Promise.all(Array.from({ length: count }, () => new Promise<void>((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve());
    socket.once('error', reject);
    sockets.push(socket);
  })));
  return sockets;
}

async function openTcpConnections(server: BuiltServer): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.healthPort}/metrics`)).text();
  const match = /^minilb_dns_tcp_connections (\d+)/m.exec(text);
  if (!match) throw new Error('no minilb_dns_tcp_connections in /metrics');
  return Number(match[1]);
}

// Sends one raw HTTP request (no client library normalises the target) and returns the status
// line, or the socket error.
function rawHttp(port: number, request: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const finish = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) finish(data.split('\r\n')[0]!);
    });
    socket.on('error', (err) => finish(`error: ${err.message}`));
    socket.on('close', () => finish(data === '' ? 'closed' : data.split('\r\n')[0]!));
  });
}

describe('finding 1: one HTTP request must not kill the process', () => {
  let server: BuiltServer;
  beforeAll(async () => {
    server = await startBuiltServer(['-manifests', demoCluster]);
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  it('answers GET //, ///, //@ and //[ with a status and keeps serving DNS', async () => {
    for (const target of ['//', '///', '//@', '//[', '//[::1', '//?name=x']) {
      const status = await rawHttp(server.healthPort, `GET ${target} HTTP/1.1\r\nHost: minilb\r\nConnection: close\r\n\r\n`);
      expect(status, `GET ${target}`).toMatch(/^HTTP\/1\.1 [45]\d\d /);
      await expectStillServing(server, 3);
    }
    await expectStillServing(server);
    expect((await fetch(`http://127.0.0.1:${server.healthPort}/healthz`)).status).toBe(200);
  });
});

describe('finding 2: TCP lock-out by one host', () => {
  let server: BuiltServer;
  beforeAll(async () => {
    server = await startBuiltServer(['-manifests', demoCluster]);
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  it('300 idle connections that ignore our FIN do not keep anyone else out', async () => {
    const attack = await startAttack<HeldSummary>({ kind: 'idle', port: server.dnsPort, count: 300, holdMs: 2500 });
    await expectStillServing(server);
    // One host holds at most its per-client cap (32); the rest were closed to make room
    // (destroyed 1 s after our FIN, which they ignore). The probe may hold one more.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await openTcpConnections(server)).toBeLessThanOrEqual(33);
    await expectStillServing(server);
    expect((await attack.result).opened).toBe(300);
  });

  it('slowloris frames are destroyed within the 1 s message deadline, however often a byte comes', async () => {
    const attack = await startAttack<HeldSummary>({ kind: 'slowloris', port: server.dnsPort, count: 20, holdMs: 2500, intervalMs: 100 });
    await expectStillServing(server);
    const summary = await attack.result;
    await expectStillServing(server);
    expect(summary.opened).toBe(20);
    expect(summary.closedByServer).toBe(20);
  });
});

describe('finding 3: TCP memory exhaustion', () => {
  let server: BuiltServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-hostile-'));
    server = await startBuiltServer(['-manifests', demoCluster, '-manifests', await writeBigService(dir)]);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('20 connections pipelining queries and never reading keep RSS bounded', async () => {
    const attack = await startAttack<HeldSummary>({ kind: 'greedy', port: server.dnsPort, count: 20, name: 'big.shop.minilb', writes: 10, holdMs: 2500 });
    let peak = 0;
    for (let i = 0; i < 3; i++) {
      await expectStillServing(server, 3);
      peak = Math.max(peak, server.rssMiB());
    }
    expect((await attack.result).opened).toBe(20);
    expect(peak).toBeLessThan(RSS_BOUND_MIB);
  });
});

describe('finding 4: reflection', () => {
  let server: BuiltServer;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-hostile-'));
    // Loopback is exempt by default (nothing off-host can spoof it); here only the legitimate
    // client on 127.0.0.1 is, and the attacker on 127.0.1.1 is limited at the default rate.
    server = await startBuiltServer(['-manifests', demoCluster, '-manifests', await writeBigService(dir), '-rrl-exempt=127.0.0.1/32']);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('10,000 spoofable EDNS queries for a truncated answer get back fewer bytes than they sent', async () => {
    const attack = await startAttack<FloodResult>({ kind: 'udp', port: server.dnsPort, name: 'big.shop.minilb', type: 'A', edns: true, count: 10_000, perTick: 50 });
    await expectStillServing(server);
    const flood = await attack.result;
    // e23bb25 answered all 10,000 with 1,227 bytes each (28.5 times the 43 sent).
    expect(flood.sent).toBe(10_000);
    expect(flood.bytesReceived).toBeLessThan(flood.bytesSent);
    expect(flood.replies).toBeLessThan(flood.sent * 0.6);
    // Slips: truncated answers, so a real client behind that address retries over TCP. Full
    // answers: the 20 a second of -rrl-rate, however long the flood took on a busy machine.
    expect(flood.truncated).toBeGreaterThan(0);
    expect(flood.replies - flood.truncated).toBeLessThan(300);
    const metrics = await (await fetch(`http://127.0.0.1:${server.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/^minilb_dns_rate_limited_total\{action="dropped"\} [1-9]\d*/m);
    expect(metrics).toMatch(/^minilb_dns_rate_limited_total\{action="slipped"\} [1-9]\d*/m);
  });
});

describe('finding 5: open relay', () => {
  let server: BuiltServer;
  let upstream: dgram.Socket;
  beforeAll(async () => {
    // An upstream whose answer to anything is big (about 3.7 kB), as a real one's can be.
    upstream = dgram.createSocket('udp4');
    upstream.on('message', (query, from) => {
      const question = dnsPacket.decode(query).questions![0]!;
      const reply = dnsPacket.encode({
        type: 'response',
        id: query.readUInt16BE(0),
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [question],
        answers: Array.from({ length: 100 }, (_, i) => ({ type: 'TXT' as const, name: question.name, ttl: 60, data: `record ${i} ${'x'.repeat(20)}` })),
      });
      upstream.send(reply, from.port, from.address);
    });
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', () => resolve()));
    server = await startBuiltServer(['-manifests', demoCluster, '-upstream', `127.0.0.1:${upstream.address().port}`, '-upstream-allow=127.0.0.1/32']);
  });
  afterAll(() => {
    server?.child.kill('SIGKILL');
    upstream?.close();
  });

  it('refuses recursion to a client outside -upstream-allow', async () => {
    const reply = await udpExchange(server.dnsPort, encodeQuery('example.org', 'TXT'), 2000, '127.0.0.1', attackerAddress);
    expect(reply).toBeDefined();
    expect(decodeResponse(reply!).rcode).toBe('REFUSED');
    expect(reply!.length).toBeLessThan(100);
    await expectStillServing(server);
  });

  it('cuts a relayed answer to the client\'s UDP size with TC and sets RA; TCP gets all of it', async () => {
    const udp = decodeResponse((await udpExchange(server.dnsPort, encodeQuery('example.org', 'TXT', { edns: { udpPayloadSize: 4096 } })))!);
    expect(udp.bytes.length).toBeLessThanOrEqual(1232);
    expect(udp.flags & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
    expect(udp.flags & dnsPacket.RECURSION_AVAILABLE).toBeTruthy();
    const plain = decodeResponse((await udpExchange(server.dnsPort, encodeQuery('example.org', 'TXT')))!);
    expect(plain.bytes.length).toBeLessThanOrEqual(512);
    const tcp = await tcpQuery(server.dnsPort, 'example.org', 'TXT');
    expect(tcp.packet.answers).toHaveLength(100);
    expect(tcp.flags & dnsPacket.RECURSION_AVAILABLE).toBeTruthy();
  });
});

describe('finding 6: HTTP starves DNS', () => {
  let server: BuiltServer;
  beforeAll(async () => {
    server = await startBuiltServer(['-manifests', demoCluster]);
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  it('past 256 open HTTP connections a new one is turned away at once, and DNS keeps answering', async () => {
    // The cap is on open sockets, so idle ones fill it whatever the machine's speed: a flood of
    // fast requests alone may never reach it. e23bb25 took every connection.
    const held = await holdIdleConnections(server.healthPort, 256);
    try {
      const started = Date.now();
      expect(await rawHttp(server.healthPort, 'GET /healthz HTTP/1.1\r\nHost: minilb\r\n\r\n')).toMatch(/^(closed|error: .*(ECONNRESET|EPIPE).*)$/);
      expect(Date.now() - started).toBeLessThan(1000);
      await expectStillServing(server);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('1,000 /metrics requests, 400 at a time, are each answered or turned away at once while DNS keeps answering', async () => {
    const attack = await startAttack<HttpFloodResult>({ kind: 'http', port: server.healthPort, path: '/metrics', concurrency: 400, total: 1000 });
    await expectStillServing(server);
    const flood = await attack.result;
    // Past the caps (16 in flight, 256 connections) requests get 503 or the connection closed or
    // reset on accept; none waits for a timeout.
    expect(flood.statuses['timeout'] ?? 0, JSON.stringify(flood.statuses)).toBe(0);
    expect(flood.statuses['200'] ?? 0, JSON.stringify(flood.statuses)).toBeGreaterThan(0);
    await expectStillServing(server);
  });

  it('3,000 /healthz requests, 1,000 at a time, leave DNS and memory alone', async () => {
    const attack = await startAttack<HttpFloodResult>({ kind: 'http', port: server.healthPort, path: '/healthz', concurrency: 1000, total: 3000 });
    await expectStillServing(server);
    const flood = await attack.result;
    expect(flood.statuses['timeout'] ?? 0).toBe(0);
    await expectStillServing(server);
  });

  it('answers an oversized header with 431 and a request body with 413', async () => {
    expect(await rawHttp(server.healthPort, `GET /healthz HTTP/1.1\r\nHost: minilb\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    expect(await rawHttp(server.healthPort, 'POST /healthz HTTP/1.1\r\nHost: minilb\r\nContent-Length: 5\r\n\r\nhello')).toMatch(/^HTTP\/1\.1 413/);
    await expectStillServing(server);
  });
});

describe('finding 7: what the HTTP port tells anyone', () => {
  let server: BuiltServer;
  beforeAll(async () => {
    server = await startBuiltServer(['-manifests', demoCluster]);
  });
  afterAll(() => server?.child.kill('SIGKILL'));

  it('serves no pod, node or endpoint detail on the probe port; /v1/ lives on the -explain listener', async () => {
    for (const path of ['/v1/explain?name=paperless.sko.ai', '/v1/endpoint-health']) {
      const onProbePort = await fetch(`http://127.0.0.1:${server.healthPort}${path}`);
      expect(onProbePort.status, path).toBe(404);
      expect(await onProbePort.text()).not.toMatch(/kubernetes-ingress-7d9f8|node1/);
    }
    const explained = await fetch(`http://127.0.0.1:${server.explainPort}/v1/explain?name=paperless.sko.ai`);
    expect(explained.status).toBe(200);
    expect(await explained.text()).toMatch(/kubernetes-ingress-7d9f8/);
  });
});

describe('finding 8: lame duck on SIGTERM', () => {
  it('turns /healthz 503 at once, keeps answering DNS for -lameduck, then exits 0', async () => {
    const server = await startBuiltServer(['-manifests', demoCluster, '-lameduck=2s']);
    try {
      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`http://127.0.0.1:${server.healthPort}/healthz`)).status).toBe(503);
      // Still answering well into the lame duck (e23bb25 stopped at once).
      while (Date.now() - signalledAt < 1500) await expectStillServing(server, 3);
      expect(await server.exited).toBe(0);
      const took = Date.now() - signalledAt;
      expect(took).toBeGreaterThanOrEqual(2000);
      expect(took).toBeLessThan(7000);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
