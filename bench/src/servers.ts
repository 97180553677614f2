// Starts the DNS servers under test, each pinned to the same CPU (dnsperf gets the other), on
// free loopback ports, through the harness's process management so nothing outlives the run.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  dnsProbe,
  ensurePeers,
  freePort,
  makeDir,
  repoRoot,
  startProcess,
  waitFor,
  type ManagedProcess,
} from '../../test/e2e/harness/index.js';

let minilbBundle = join(repoRoot, 'packages/server/dist/bundle/minilb-server.mjs');

/** --minilb-bundle: measure another build (a before/after comparison). */
export function useMinilbBundle(path: string): void {
  minilbBundle = path;
}

/** The server side of every measurement; with one core, nothing is pinned. */
export const SERVER_CPU = cpus().length > 1 ? '1' : undefined;
export const CLIENT_CPU = cpus().length > 1 ? '0' : undefined;

export function pinned(cpu: string | undefined, command: string, args: string[]): { command: string; args: string[] } {
  return cpu === undefined ? { command, args } : { command: 'taskset', args: ['-c', cpu, command, ...args] };
}

export interface DnsServer {
  name: string;
  port: number;
  process: ManagedProcess;
  /** The process whose memory and CPU count (taskset execs it, so it is the spawned pid). */
  pid: number;
  /** HTTP port of /healthz and /metrics (minilb) or /ready and /metrics (CoreDNS). */
  httpPort?: number;
  stop(): Promise<void>;
}

function pidOf(p: ManagedProcess): number {
  if (p.pid === undefined) throw new Error(`${p.name} did not start:\n${p.logTail()}`);
  return p.pid;
}

async function waitAnswering(name: string, proc: ManagedProcess, port: number, timeoutMs: number): Promise<void> {
  const died = proc.exited.then((info) => {
    throw new Error(`${name} exited (${info.signal ?? `code ${info.code}`}) during start-up\n${proc.logTail()}`);
  });
  await Promise.race([waitFor(() => dnsProbe(port, '127.0.0.1', 300), { what: `${name} answering DNS on ${port}`, timeoutMs, intervalMs: 50 }), died]);
}

export interface MinilbStart extends DnsServer {
  /** Milliseconds from spawn to the first /healthz 200. */
  healthyAfterMs: number;
  httpPort: number;
}

/** The shipped bundle, as `minilb-server` runs in production; `source` is `-manifests F` or `-kubeconfig P ...`. */
export async function startMinilb(
  name: string,
  source: string[],
  opts: { timeoutMs?: number; nodeArgs?: string[]; node?: string } = {},
): Promise<MinilbStart> {
  if (!existsSync(minilbBundle)) throw new Error(`${minilbBundle} is missing: run \`npm run build\` first`);
  const [port, httpPort] = [await freePort(), await freePort()];
  const dir = makeDir('bench-minilb');
  const cmd = pinned(SERVER_CPU, opts.node ?? process.execPath, [
    ...(opts.nodeArgs ?? []),
    minilbBundle,
    '-listen',
    `127.0.0.1:${port}`,
    '-health',
    `127.0.0.1:${httpPort}`,
    '-explain=',
    '-log-level',
    'warn',
    ...source,
  ]);
  const t0 = performance.now();
  const proc = startProcess({ name: 'minilb', command: cmd.command, args: cmd.args, dir, cwd: dir });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const died = proc.exited.then((info) => {
    throw new Error(`minilb exited (${info.signal ?? `code ${info.code}`}) before /healthz said 200\n${proc.logTail()}`);
  });
  let healthyAfterMs = 0;
  await Promise.race([
    waitFor(
      async () => {
        const status = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => {
          void r.body?.cancel();
          return r.status;
        });
        if (status !== 200) return false;
        healthyAfterMs = performance.now() - t0;
        return true;
      },
      { what: `${name} /healthz 200`, timeoutMs, intervalMs: 20 },
    ),
    died,
  ]);
  await waitAnswering(name, proc, port, 10_000);
  return { name, port, httpPort, process: proc, pid: pidOf(proc), healthyAfterMs, stop: () => proc.stop() };
}

export interface CoreDnsStart extends DnsServer {
  /** Milliseconds from spawn to /ready 200 (every plugin, the kubernetes one included, synced). */
  readyAfterMs: number;
  httpPort: number;
}

/**
 * CoreDNS from the harness's pinned build. `serverBlocks` receives the DNS port and returns the
 * Corefile's server blocks (without `bind`, added here); `ready` and `prometheus` get their own
 * block on a free port.
 */
export async function startCoreDNS(
  name: string,
  serverBlocks: (port: number) => string,
  files: Record<string, string> = {},
  opts: { timeoutMs?: number } = {},
): Promise<CoreDnsStart> {
  const peers = await ensurePeers();
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const dir = makeDir('bench-coredns');
  const blocks = serverBlocks(port).replace(/^(\S[^\n]*\{)$/gm, '$1\n    bind 127.0.0.1');
  // `ready` belongs in one server block: it reports every plugin of the process.
  const corefile = `${blocks.replace(/\{\n    bind 127\.0\.0\.1/, `{\n    bind 127.0.0.1\n    ready 127.0.0.1:${httpPort}\n    prometheus 127.0.0.1:${metricsPort}`)}\n`;
  writeFileSync(join(dir, 'Corefile'), corefile);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const cmd = pinned(SERVER_CPU, peers.coredns, ['-conf', join(dir, 'Corefile')]);
  const t0 = performance.now();
  const proc = startProcess({ name: 'coredns', command: cmd.command, args: cmd.args, dir, cwd: dir });
  let readyAfterMs = 0;
  const died = proc.exited.then((info) => {
    throw new Error(`${name} exited (${info.signal ?? `code ${info.code}`}) during start-up\n${proc.logTail()}`);
  });
  await Promise.race([
    waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${httpPort}/ready`, { signal: AbortSignal.timeout(2000) });
        void r.body?.cancel();
        if (r.status !== 200) return false;
        readyAfterMs = performance.now() - t0;
        return true;
      },
      { what: `${name} /ready 200`, timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 20 },
    ),
    died,
  ]);
  await waitAnswering(name, proc, port, 10_000);
  return { name, port, httpPort, process: proc, pid: pidOf(proc), readyAfterMs, stop: () => proc.stop() };
}

/** bench/dgram-floor.mjs: Node's dgram answering without any DNS work, the ceiling for minilb. */
export async function startDgramFloor(node: string = process.execPath): Promise<DnsServer> {
  const port = await freePort();
  const dir = makeDir('bench-floor');
  const cmd = pinned(SERVER_CPU, node, [join(repoRoot, 'bench/dgram-floor.mjs'), String(port)]);
  const proc = startProcess({ name: 'dgram-floor', command: cmd.command, args: cmd.args, dir });
  await waitAnswering('Node dgram floor', proc, port, 10_000);
  return { name: 'Node dgram floor', port, process: proc, pid: pidOf(proc), stop: () => proc.stop() };
}

/** bench/footprint-floor.mjs on one Node binary: minilb's sockets, listeners and HTTP client, idle. */
export async function startFootprintFloor(
  name: string,
  node: string,
  api: { server: string; ca: string; cert: string; key: string; paths: string[] },
): Promise<DnsServer> {
  const [port, httpPort] = [await freePort(), await freePort()];
  const dir = makeDir('bench-footprint-floor');
  const cmd = pinned(SERVER_CPU, node, [
    join(repoRoot, 'bench/footprint-floor.mjs'),
    String(port),
    String(httpPort),
    api.server,
    api.ca,
    api.cert,
    api.key,
    ...api.paths,
  ]);
  const proc = startProcess({ name: 'footprint-floor', command: cmd.command, args: cmd.args, dir });
  await waitFor(() => fetch(`http://127.0.0.1:${httpPort}/`).then((r) => r.ok), { what: `${name} listening`, timeoutMs: 10_000, intervalMs: 50 });
  return { name, port, httpPort, process: proc, pid: pidOf(proc), stop: () => proc.stop() };
}

/** Knot DNS with one UDP worker (and one TCP worker), serving zone files. */
export async function startKnot(zones: Record<string, string>, opts: { allowTransfer?: boolean } = {}): Promise<DnsServer> {
  const knotd = ['/usr/sbin/knotd', '/usr/bin/knotd'].find((p) => existsSync(p));
  if (!knotd) throw new Error('knotd is not installed: apt-get install -y knot');
  const port = await freePort();
  const dir = makeDir('bench-knot');
  const zoneConf = Object.keys(zones)
    .map((z) => `  - domain: ${z}\n    file: ${join(dir, `${z}.zone`)}${opts.allowTransfer ? '\n    acl: loopback-transfer' : ''}`)
    .join('\n');
  for (const [z, text] of Object.entries(zones)) writeFileSync(join(dir, `${z}.zone`), text);
  const conf = [
    'server:',
    `  rundir: ${dir}`,
    `  listen: 127.0.0.1@${port}`,
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
    'database:',
    `  storage: ${join(dir, 'db')}`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'template:',
    '  - id: default',
    `    storage: ${dir}`,
    '    journal-content: none',
    '    zonefile-sync: -1',
    ...(opts.allowTransfer ? ['acl:', '  - id: loopback-transfer', '    address: 127.0.0.1', '    action: transfer'] : []),
    'zone:',
    zoneConf,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'knot.conf'), conf);
  const cmd = pinned(SERVER_CPU, knotd, ['-c', join(dir, 'knot.conf')]);
  const proc = startProcess({ name: 'knotd', command: cmd.command, args: cmd.args, dir, cwd: dir });
  await waitAnswering('knot', proc, port, 20_000);
  return { name: 'Knot', port, process: proc, pid: pidOf(proc), stop: () => proc.stop() };
}
