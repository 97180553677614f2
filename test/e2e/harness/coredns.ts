// Starts the pinned CoreDNS with a given Corefile (and any zone or hosts files it reads) and
// waits until it has printed its start-up banner, which it does once every server listens.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePeers } from './peers.js';
import { startProcess, type ManagedProcess } from './process.js';
import { keepRunFiles, makeDir } from './run-dir.js';

export interface CoreDNS {
  process: ManagedProcess;
  /** Folder holding the Corefile; relative paths in the Corefile resolve here. */
  dir: string;
  corefilePath: string;
  /** SIGTERM, then SIGKILL after `graceMs` (the example's `health { lameduck 5s }` delays exit). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartCoreDNSOptions {
  /** Extra files next to the Corefile (zone files, hosts files), by file name. */
  files?: Record<string, string>;
  timeoutMs?: number;
}

export async function startCoreDNS(corefile: string, opts: StartCoreDNSOptions = {}): Promise<CoreDNS> {
  const peers = await ensurePeers();
  const dir = makeDir('coredns');
  const corefilePath = join(dir, 'Corefile');
  writeFileSync(corefilePath, corefile);
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content);
  const proc = startProcess({ name: 'coredns', command: peers.coredns, args: ['-conf', corefilePath], dir, cwd: dir });
  const stop = async (graceMs?: number) => {
    await proc.stop(graceMs);
    if (!keepRunFiles) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitForOutput(/^CoreDNS-\d/m, opts.timeoutMs ?? 20_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { process: proc, dir, corefilePath, stop };
}
