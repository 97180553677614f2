// Knot DNS (Debian `knot`) as a reference authoritative server on a free loopback port, serving
// the zone files it is given.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dnsProbe } from './dns-probe.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { makeDir } from './run-dir.js';
import { waitFor } from './wait.js';
import type { ZoneFile } from './zone-files.js';

export interface Knot {
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startKnot(zones: ZoneFile[], listen: { host: string; port?: number } = { host: '127.0.0.1' }): Promise<Knot> {
  const dir = makeDir('knot');
  const port = listen.port ?? (await freePort());
  for (const zone of zones) writeFileSync(join(dir, `${zone.origin}.zone`), zone.text);
  const conf = [
    'server:',
    `  rundir: "${dir}"`,
    `  listen: ${listen.host}@${port}`,
    'database:',
    `  storage: "${join(dir, 'db')}"`,
    'log:',
    '  - target: stderr',
    '    any: warning',
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    file: "%s.zone"',
    '    journal-content: none',
    'zone:',
    ...zones.map((z) => `  - domain: ${z.origin}`),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'knot.conf'), conf);
  const proc = startProcess({ name: 'knotd', command: 'knotd', args: ['-c', join(dir, 'knot.conf')], dir });
  await waitFor(() => dnsProbe(port, listen.host), { what: `knotd answering on ${listen.host}:${port}`, timeoutMs: 15_000, intervalMs: 100 });
  return { port, process: proc, stop: () => proc.stop() };
}
