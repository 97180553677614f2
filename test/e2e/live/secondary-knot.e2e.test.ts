// The router's Knot as a TSIG-signed secondary of minilb on a live cluster: a pod that turns
// unready leaves Knot's answers within 2 s, by NOTIFY and IXFR (Knot's own refresh is an hour).

import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  freePort,
  makeDir,
  minilbServiceAccountKubeconfig,
  repoRoot,
  setPodReady,
  startCluster,
  startMinilb,
  startProcess,
  waitFor,
  type Cluster,
  type ManagedProcess,
  type Minilb,
} from '../harness/index.js';

const run = promisify(execFile);

async function addresses(port: number, name: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([digAt(port, name, 'A'), digAt(port, name, 'AAAA')]);
  return [...answersOf(a, 'A'), ...answersOf(aaaa, 'AAAA')].sort();
}

const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

describe('Knot as a secondary of minilb on a live cluster', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  let knot: ManagedProcess;
  let knotPort: number;
  const ips: Record<string, string[]> = {};

  beforeAll(async () => {
    cluster = await startCluster();
    await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    await createNode('node2', ['192.0.2.32', '2001:db8:1::32']);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
    for (const [pod, node] of [['web-1', 'node1'], ['web-2', 'node2']] as const) {
      const created = await createReadyPod('shop', pod, node, { app: 'web' });
      ips[pod] = (created.status?.podIPs ?? []).map((p) => p.ip);
    }

    const dir = makeDir('knot-secondary');
    const keyPath = join(dir, 'transfer.key');
    writeFileSync(keyPath, execFileSync('tsig-keygen', ['-a', 'hmac-sha256', 'minilb-transfer'], { encoding: 'utf8' }));
    knotPort = await freePort();
    const sa = await minilbServiceAccountKubeconfig();
    minilb = await startMinilb([
      '-kubeconfig', sa.kubeconfigPath, '-lease-namespace', sa.namespace,
      '-transfer-allow', '127.0.0.0/8', '-tsig-key', keyPath, '-notify', `127.0.0.1:${knotPort}`, '-soa-refresh', '3600s',
    ]);
    await waitFor(async () => (await addresses(minilb.dnsPort, 'web.shop.minilb')).length === 4 || undefined, { what: 'minilb answers both pods', timeoutMs: 10_000 });

    // What `minilb secondary` prints, read from the same cluster, below Knot's own sections.
    const { stdout: stanza } = await run(process.execPath, [
      join(repoRoot, 'packages/cli/dist/main.js'), 'secondary', '--format', 'knot', '--primary', `127.0.0.1:${minilb.dnsPort}`,
      '--tsig-key', keyPath, '--kubeconfig', cluster.kubeconfigPath,
    ]);
    writeFileSync(
      join(dir, 'knot.conf'),
      [
        'server:', `    rundir: "${dir}"`, `    listen: 127.0.0.1@${knotPort}`,
        'database:', `    storage: "${dir}/db"`,
        'log:', '  - target: stderr', '    any: info',
        stanza.replace('template:\n  - id: minilb\n', `template:\n  - id: minilb\n    storage: "${dir}/zones"\n`),
      ].join('\n'),
    );
    knot = startProcess({ name: 'knotd', command: 'knotd', args: ['-c', join(dir, 'knot.conf')], dir });
    await waitFor(async () => (await addresses(knotPort, 'web.shop.minilb')).length === 4 || undefined, {
      what: 'Knot to transfer the minilb zone',
      timeoutMs: 20_000,
    });
  }, 120_000);

  afterAll(async () => {
    await knot?.stop();
    await minilb?.stop();
    await cluster?.stop();
  });

  it('drops an unready pod from its answers within 2 s of minilb, and takes it back', async () => {
    await setPodReady('shop', 'web-1', false);
    await waitFor(async () => same(await addresses(minilb.dnsPort, 'web.shop.minilb'), ips['web-2']!) || undefined, { what: 'minilb drops web-1', timeoutMs: 5_000, intervalMs: 20 });
    const changed = Date.now();
    await waitFor(async () => same(await addresses(knotPort, 'web.shop.minilb'), ips['web-2']!) || undefined, { what: 'Knot drops web-1', timeoutMs: 10_000, intervalMs: 20 });
    expect(Date.now() - changed).toBeLessThan(2_000);

    await setPodReady('shop', 'web-1', true);
    await waitFor(async () => (await addresses(minilb.dnsPort, 'web.shop.minilb')).length === 4 || undefined, { what: 'minilb takes web-1 back', timeoutMs: 5_000, intervalMs: 20 });
    const back = Date.now();
    await waitFor(async () => (await addresses(knotPort, 'web.shop.minilb')).length === 4 || undefined, { what: 'Knot takes web-1 back', timeoutMs: 10_000, intervalMs: 20 });
    expect(Date.now() - back).toBeLessThan(2_000);
    expect(knot.logTail(400)).toMatch(/IXFR, incoming/);
  });
});
