// The built server bundle as a real child process on loopback, and the legitimate client the
// hostile-client tests keep asking while they attack it: one UDP and one TCP query, timed.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeResponse, encodeQuery, frame, TcpDnsConnection, udpExchange } from './dns-test-client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const serverBundle = join(root, 'packages/server/dist/bundle/minilb-server.mjs');
export const demoCluster = join(root, 'examples/demo-cluster.yaml');

export interface BuiltServer {
  child: ChildProcess;
  dnsPort: number;
  healthPort: number;
  explainPort: number; // the -explain listener: /v1/explain, /v1/endpoint-health
  output: () => string;
  rssMiB: () => number;
  exited: Promise<number | null>;
}

export async function startBuiltServer(args: string[], nodeArgs: string[] = [], startTimeoutMs = 15_000): Promise<BuiltServer> {
  const child = spawn(process.execPath, [...nodeArgs, serverBundle, '-listen', '127.0.0.1:0', '-health', '127.0.0.1:0', '-explain', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    const line = output.split('\n').find((l) => l.includes('"minilb is serving"'));
    if (line) {
      const parsed = JSON.parse(line) as { dnsPort: number; healthPort: number; explainPort: number };
      return { child, dnsPort: parsed.dnsPort, healthPort: parsed.healthPort, explainPort: parsed.explainPort, output: () => output, rssMiB: () => rssMiB(child.pid!), exited };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

// A demo name every legitimate probe asks for, and what it must get.
export const probeName = 'paperless.sko.ai';
export const probeAnswer = ['10.244.0.15', '10.244.1.22'];

export interface ProbeResult {
  udpMs: number | undefined; // undefined: no answer within the budget
  tcpMs: number | undefined;
}

function answersOf(bytes: Buffer): string[] {
  return (decodeResponse(bytes).packet.answers ?? []).map((a) => String(a.data)).sort();
}

async function timedUdp(port: number, budgetMs: number): Promise<number | undefined> {
  const started = performance.now();
  const reply = await udpExchange(port, encodeQuery(probeName, 'A'), budgetMs);
  if (!reply || answersOf(reply).join() !== probeAnswer.join()) return undefined;
  return performance.now() - started;
}

async function timedTcp(port: number, budgetMs: number): Promise<number | undefined> {
  const started = performance.now();
  const connection = await Promise.race([
    TcpDnsConnection.open(port).catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(r, budgetMs)),
  ]);
  if (!connection) return undefined;
  try {
    connection.write(frame(encodeQuery(probeName, 'A')));
    const [reply] = await connection.waitForReplies(1, Math.max(1, budgetMs - (performance.now() - started)));
    if (!reply || answersOf(reply).join() !== probeAnswer.join()) return undefined;
    return performance.now() - started;
  } finally {
    connection.close();
  }
}

// One legitimate UDP and one TCP query, each given `budgetMs` to be answered.
export async function probe(port: number, budgetMs = 1000): Promise<ProbeResult> {
  const udpMs = await timedUdp(port, budgetMs);
  const tcpMs = await timedTcp(port, budgetMs);
  return { udpMs, tcpMs };
}

export interface ProbeSeries {
  udp: number[]; // ms, one per probe; Infinity for no answer within the budget
  tcp: number[];
}

// `count` probes, `gapMs` apart.
export async function probeSeries(port: number, count: number, gapMs = 100): Promise<ProbeSeries> {
  const series: ProbeSeries = { udp: [], tcp: [] };
  for (let i = 0; i < count; i++) {
    const { udpMs, tcpMs } = await probe(port);
    series.udp.push(udpMs ?? Infinity);
    series.tcp.push(tcpMs ?? Infinity);
    if (i < count - 1) await new Promise((r) => setTimeout(r, gapMs));
  }
  return series;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
