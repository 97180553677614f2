// The one attacker on the LAN that the hostile-client tests and the bench play: every loop
// here is bounded in count and time, talks only to loopback, and stops by itself.
// Attackers bind 127.0.1.x, a different /24 from the legitimate client on 127.0.0.1.

import dgram from 'node:dgram';
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeQuery, frame } from './dns-test-client.js';

export const attackerAddress = '127.0.1.1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A Service with `count` ready endpoints: big.shop.minilb, whose A answer does not fit UDP.
export async function writeBigService(dir: string, count = 100): Promise<string> {
  const endpoints = Array.from({ length: count }, (_, i) => `  - addresses: [10.244.${3 + (i >> 8)}.${(i % 254) + 1}]\n    conditions: { ready: true }`).join('\n');
  const path = join(dir, 'big.yaml');
  await writeFile(
    path,
    `kind: Service\napiVersion: v1\nmetadata: { name: big, namespace: shop }\nspec: { type: LoadBalancer, loadBalancerClass: minilb }\n---\n` +
      `kind: EndpointSlice\napiVersion: discovery.k8s.io/v1\nmetadata: { name: big-1, namespace: shop, labels: { kubernetes.io/service-name: big } }\naddressType: IPv4\nendpoints:\n${endpoints}\n`,
  );
  return path;
}

export interface HeldSockets {
  sockets: net.Socket[];
  // How many the server has closed or reset so far.
  closedByServer: () => number;
  destroy: () => void;
}

export interface HeldSummary {
  opened: number;
  closedByServer: number;
}

function hold(sockets: net.Socket[]): HeldSockets {
  let closed = 0;
  for (const socket of sockets) {
    socket.on('error', () => {});
    socket.on('close', () => closed++);
    socket.on('end', () => {});
  }
  return { sockets, closedByServer: () => closed, destroy: () => sockets.forEach((s) => s.destroy()) };
}

function connect(port: number, localAddress: string, allowHalfOpen = false): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen });
    const timer = setTimeout(() => (socket.destroy(), resolve(undefined)), 2000);
    socket.once('connect', () => (clearTimeout(timer), resolve(socket)));
    socket.once('error', () => (clearTimeout(timer), resolve(undefined)));
  });
}

// Connections that send nothing and ignore our FIN (allowHalfOpen keeps their side open).
export async function idleFlood(port: number, count: number, localAddress = attackerAddress): Promise<HeldSockets> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = await connect(port, localAddress, true);
    if (socket) sockets.push(socket);
  }
  return hold(sockets);
}

// Connections that each trickle a query one byte per `intervalMs`, until `durationMs` is over.
export async function slowloris(port: number, count: number, durationMs: number, intervalMs = 100, localAddress = attackerAddress): Promise<HeldSockets> {
  const sockets = (await Promise.all(Array.from({ length: count }, () => connect(port, localAddress, true)))).filter((s): s is net.Socket => !!s);
  const held = hold(sockets);
  const query = frame(encodeQuery('paperless.sko.ai', 'A'));
  const endAt = Date.now() + durationMs;
  void (async () => {
    for (let i = 0; Date.now() < endAt; i = (i + 1) % query.length) {
      for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write(query.subarray(i, i + 1));
      await sleep(intervalMs);
    }
  })();
  return held;
}

// Connections that pipeline `queries` without ever reading an answer.
export async function greedyPipeliners(port: number, count: number, query: Buffer, writes: number, localAddress = attackerAddress): Promise<HeldSockets> {
  const sockets = (await Promise.all(Array.from({ length: count }, () => connect(port, localAddress)))).filter((s): s is net.Socket => !!s);
  const burst = Buffer.concat(Array.from({ length: 1000 }, () => frame(query)));
  for (const socket of sockets) socket.pause();
  for (let i = 0; i < writes; i++) {
    for (const socket of sockets) if (!socket.destroyed) socket.write(burst);
    await sleep(5);
  }
  return hold(sockets);
}

export interface FloodResult {
  sent: number;
  bytesSent: number;
  replies: number;
  bytesReceived: number;
  truncated: number;
}

// `count` copies of `packet` from one UDP source, `perTick` every millisecond tick, then
// waits `settleMs` for the last replies.
export async function udpFlood(port: number, packet: Buffer, count: number, perTick = 50, settleMs = 300, localAddress = attackerAddress): Promise<FloodResult> {
  const socket = dgram.createSocket('udp4');
  const result: FloodResult = { sent: 0, bytesSent: 0, replies: 0, bytesReceived: 0, truncated: 0 };
  socket.on('message', (reply) => {
    result.replies++;
    result.bytesReceived += reply.length;
    if (reply.length >= 4 && reply.readUInt16BE(2) & 0x0200) result.truncated++;
  });
  await new Promise<void>((resolve) => socket.bind(0, localAddress, () => resolve()));
  while (result.sent < count) {
    for (let i = 0; i < perTick && result.sent < count; i++) {
      socket.send(packet, port, '127.0.0.1');
      result.sent++;
      result.bytesSent += packet.length;
    }
    await sleep(1);
  }
  await sleep(settleMs);
  socket.close();
  return result;
}

// What the attack process runs: one attack, described as JSON, held for holdMs, then a summary.
export type AttackSpec =
  | { kind: 'idle'; port: number; count: number; holdMs: number }
  | { kind: 'slowloris'; port: number; count: number; holdMs: number; intervalMs: number }
  | { kind: 'greedy'; port: number; count: number; name: string; writes: number; holdMs: number }
  | { kind: 'udp'; port: number; name: string; type: string; edns: boolean; count: number; perTick: number }
  | { kind: 'http'; port: number; path: string; concurrency: number; total: number };

// `ready` is called once the attack is under way (its sockets open, or its flood started).
export async function runAttack(spec: AttackSpec, ready: () => void): Promise<unknown> {
  const summarise = async (held: HeldSockets): Promise<HeldSummary> => {
    ready();
    await sleep(spec.kind === 'idle' || spec.kind === 'greedy' || spec.kind === 'slowloris' ? spec.holdMs : 0);
    const summary = { opened: held.sockets.length, closedByServer: held.closedByServer() };
    held.destroy();
    return summary;
  };
  switch (spec.kind) {
    case 'idle':
      return summarise(await idleFlood(spec.port, spec.count));
    case 'slowloris':
      return summarise(await slowloris(spec.port, spec.count, spec.holdMs, spec.intervalMs));
    case 'greedy':
      return summarise(await greedyPipeliners(spec.port, spec.count, encodeQuery(spec.name, 'A'), spec.writes));
    case 'udp':
      ready();
      return udpFlood(spec.port, encodeQuery(spec.name, spec.type, spec.edns ? { edns: { udpPayloadSize: 4096 } } : {}), spec.count, spec.perTick);
    case 'http':
      ready();
      return httpFlood(spec.port, spec.path, spec.concurrency, spec.total);
  }
}

export interface HttpFloodResult {
  statuses: Record<string, number>;
  maxMs: number;
}

// `total` GET requests, `concurrency` at a time, each on its own connection.
export async function httpFlood(port: number, path: string, concurrency: number, total: number, localAddress = attackerAddress): Promise<HttpFloodResult> {
  const result: HttpFloodResult = { statuses: {}, maxMs: 0 };
  let started = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const began = Date.now();
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      let data = '';
      let done = false;
      const finish = (status: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        result.maxMs = Math.max(result.maxMs, Date.now() - began);
        socket.destroy();
        resolve();
      };
      const timer = setTimeout(() => finish('timeout'), 10_000);
      socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: minilb\r\nConnection: close\r\n\r\n`));
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
        const line = /^HTTP\/1\.1 (\d{3})/.exec(data);
        if (line) finish(line[1]!);
      });
      socket.on('error', () => finish('error'));
      socket.on('close', () => finish('closed'));
    });
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return result;
}
