// Finds the pinned peer programs, building them first (test/e2e/peers/build.mjs) when the cache
// lacks them or a pin changed. Cached, the check takes a fraction of a second. A first build
// takes longer than a vitest hook may, so CI runs the build script before the tests.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, repoRoot } from './paths.js';

export interface Peers {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  coredns: string;
  kubectl: string;
  helm: string;
  promtool: string;
  /** Prometheus Operator's ServiceMonitor CRD (YAML file). */
  serviceMonitorCrd: string;
  gatewayApiCrds: { standard: string; experimental: string };
}

let peers: Promise<Peers> | undefined;

export function ensurePeers(): Promise<Peers> {
  peers ??= new Promise<Peers>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'test/e2e/peers/build.mjs')], {
      cwd: repoRoot,
      // Progress goes straight to the terminal: a first build takes many minutes.
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(
          new Error(
            `building the e2e peers failed (${signal ?? `exit ${code}`}); run \`node test/e2e/peers/build.mjs\` to see why`,
          ),
        );
        return;
      }
      resolve(JSON.parse(readFileSync(join(cacheRoot, 'peers.json'), 'utf8')) as Peers);
    });
  });
  peers.catch(() => (peers = undefined));
  return peers;
}
