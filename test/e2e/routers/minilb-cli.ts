// Runs the built `minilb` CLI inside a test namespace, as an operator on the LAN would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type Exec } from './netns-lab.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const cliMain = join(repoRoot, 'packages/cli/dist/main.js');

// `npm run test:e2e` builds first; a direct `vitest run --project e2e routers` may not have.
export function ensureCliBuilt(): void {
  const tsc = run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/cli'], {
    timeoutMs: 300_000,
  });
  if (!existsSync(cliMain)) throw new Error(`the CLI is not built and tsc -b failed:\n${tsc.stdout}${tsc.stderr}`);
}

export function minilb(ns: string, args: string[], input = ''): Exec {
  return run('ip', ['netns', 'exec', ns, process.execPath, cliMain, ...args], { input, timeoutMs: 90_000 });
}

// In the machine's own network namespace (where the harness's API server listens on loopback).
export function minilbHere(args: string[], env: NodeJS.ProcessEnv = process.env): Exec {
  return run('env', ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), process.execPath, cliMain, ...args], {
    timeoutMs: 90_000,
  });
}

export interface Watcher {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<number | null>;
}

export function startWatch(ns: string, args: string[]): Watcher {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, cliMain, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    output: () => text,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface TestNode {
  name: string;
  podCIDRs: string[];
  internalIPs: string[];
}

export function writeNodes(path: string, nodes: TestNode[]): string {
  const docs = nodes.map((n) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name },
      spec: n.podCIDRs.length > 0 ? { podCIDR: n.podCIDRs[0], podCIDRs: n.podCIDRs } : {},
      status: { addresses: [...n.internalIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: n.name }] },
    }),
  );
  writeFileSync(path, docs.join('\n---\n'));
  return path;
}
