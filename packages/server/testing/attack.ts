// Starts an attack in its own Node process (attack-process.ts, bundled once with esbuild, the
// project's build tool) and resolves with its JSON summary when it is over.

import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { AttackSpec } from './attackers.js';

let bundled: Promise<string> | undefined;

function attackBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'minilb-attack-')), 'attack-process.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./attack-process.ts', import.meta.url))],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundled;
}

export interface RunningAttack<T> {
  result: Promise<T>;
}

// The process ends by itself (every attack is bounded); a hard deadline kills it regardless.
// `cpu` pins it (taskset) off the server's core, as another host's CPU would be.
export async function startAttack<T>(spec: AttackSpec, deadlineMs = 30_000, cpu?: string): Promise<RunningAttack<T>> {
  const args = [await attackBundle(), JSON.stringify(spec)];
  const child = cpu === undefined ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-c', cpu, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // The attacker's CPU would be another host's on a LAN: here it yields to the server and probe.
  try {
    setPriority(child.pid!, 10);
  } catch {
    // Not fatal: only fairer on a busy machine.
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const result = new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last !== 'ready') resolve(JSON.parse(last) as T);
      else reject(new Error(`attack ${spec.kind} exited ${code}: ${stderr.slice(-500)}`));
    }),
  );
  result.catch(() => {});
  // Resolves once the attacker says its attack is under way.
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (stdout.startsWith('ready\n')) resolve();
      else if (child.exitCode !== null) reject(new Error(`attack ${spec.kind} ended before it started: ${stderr.slice(-500)}`));
      else setTimeout(check, 10);
    };
    check();
  });
  return { result };
}
