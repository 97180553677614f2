// Starts the minilb server (the bundle packages/server/dist/bundle/minilb-server.mjs that `npm run build` makes and users run) on free
// loopback ports and waits until /healthz says every source has synced.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dnsProbe } from './dns-probe.js';
import { repoRoot } from './paths.js';
import { freePort } from './ports.js';
import { describeExit, startProcess, type ManagedProcess } from './process.js';
import { keepRunFiles, makeDir } from './run-dir.js';
import { waitFor } from './wait.js';

export const minilbMain = join(repoRoot, 'packages/server/dist/bundle/minilb-server.mjs');

export interface Minilb {
  /** DNS port on 127.0.0.1, UDP and TCP. */
  dnsPort: number;
  /** `127.0.0.1:<dnsPort>`, as a Corefile `forward` wants it. */
  address: string;
  healthPort: number;
  /** http://127.0.0.1:<healthPort>: /healthz, /metrics */
  httpUrl: string;
  /** http://127.0.0.1:<explainPort>: /v1/explain, /v1/endpoint-health (the -explain listener) */
  apiUrl: string;
  process: ManagedProcess;
  dir: string;
  /** Waits for /healthz 200 and a DNS reply again (after a restart). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMinilbOptions {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for /healthz 200; default 30 s. */
  timeoutMs?: number;
  /** DNS on this loopback address and port instead of 127.0.0.1 and a free port (port 53 on a
   * 127.x address of its own, for peers that only talk to port 53). */
  dnsHost?: string;
  dnsPort?: number;
}

/**
 * `node packages/server/dist/bundle/minilb-server.mjs -listen 127.0.0.1:<port> -health 127.0.0.1:<port> ...args`
 * Pass the source in `args`: `['-kubeconfig', path]` or `['-manifests', 'examples/demo-cluster.yaml']`.
 */
export async function startMinilb(args: string[], opts: StartMinilbOptions = {}): Promise<Minilb> {
  if (!existsSync(minilbMain)) {
    throw new Error(`${minilbMain} does not exist: run \`npm run build\` first (\`npm run test:e2e\` does)`);
  }
  const dnsHost = opts.dnsHost ?? '127.0.0.1';
  const dnsPort = opts.dnsPort ?? (await freePort());
  const healthPort = await freePort();
  const explainPort = await freePort();
  const dir = makeDir('minilb');
  const proc = startProcess({
    name: 'minilb',
    command: process.execPath,
    args: [minilbMain, '-listen', `${dnsHost}:${dnsPort}`, '-health', `127.0.0.1:${healthPort}`, '-explain', `127.0.0.1:${explainPort}`, ...args],
    dir,
    env: { ...process.env, ...opts.env },
  });
  const httpUrl = `http://127.0.0.1:${healthPort}`;
  const apiUrl = `http://127.0.0.1:${explainPort}`;
  const waitHealthy = async (timeoutMs = opts.timeoutMs ?? 30_000) => {
    const healthy = waitFor(
      async () => (await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status)) === 200,
      { what: `minilb ${httpUrl}/healthz 200`, timeoutMs, intervalMs: 100 },
    );
    const died = proc.exited.then((info) => {
      throw new Error(`minilb exited (${describeExit(info)}) before /healthz said 200\n${proc.logTail()}`);
    });
    // /healthz can say 200 a moment before the DNS sockets listen: wait for a reply too.
    const answering = healthy.then(() =>
      waitFor(() => dnsProbe(dnsPort, dnsHost), { what: `minilb answering DNS on ${dnsHost}:${dnsPort}`, timeoutMs: 10_000, intervalMs: 50 }),
    );
    await Promise.race([answering, died]).catch((e: Error) => {
      throw new Error(`${e.message}${e.message.includes('---') ? '' : `\n${proc.logTail()}`}`);
    });
  };
  const minilb: Minilb = {
    dnsPort,
    address: `${dnsHost}:${dnsPort}`,
    healthPort,
    httpUrl,
    apiUrl,
    process: proc,
    dir,
    waitHealthy,
    stop: async () => {
      await proc.stop();
      if (!keepRunFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy();
  } catch (e) {
    await minilb.stop();
    throw e;
  }
  return minilb;
}
