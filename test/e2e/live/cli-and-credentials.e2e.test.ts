// The server finding the cluster through KUBECONFIG with an exec-plugin user (as kubelogin and
// cloud CLIs set up), and `minilb inspect` explaining a name from the real API server, compared
// with the live server and read from its /v1/explain.

import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  minilbServiceAccountKubeconfig,
  repoRoot,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'packages/cli/dist/main.js');

async function minilbCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// A kubeconfig whose user is an exec plugin: a script that prints an ExecCredential with the
// ServiceAccount's token, the way client-go credential plugins work.
function execPluginKubeconfig(tokenKubeconfig: string, dir: string): string {
  const config = parse(readFileSync(tokenKubeconfig, 'utf8')) as { users: { name: string; user: Record<string, unknown> }[] };
  const token = config.users[0]!.user.token as string;
  const plugin = join(dir, 'credential-plugin.sh');
  writeFileSync(
    plugin,
    `#!/bin/sh\necho "$$" >> ${join(dir, 'plugin-calls')}\nprintf '%s' '${JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } })}'\n`,
  );
  chmodSync(plugin, 0o755);
  config.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } };
  const path = join(dir, 'exec.kubeconfig');
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

describe('credentials and the CLI against a live cluster', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  let podIP: string;

  beforeAll(async () => {
    cluster = await startCluster();
    await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' }, annotations: { 'minilb/host': 'shop.example.com' } });
    podIP = (await createReadyPod('shop', 'web-1', 'node1', { app: 'web' })).status!.podIPs![0]!.ip;
    const sa = await minilbServiceAccountKubeconfig();
    const kubeconfig = execPluginKubeconfig(sa.kubeconfigPath, cluster.dataDir);
    // No -kubeconfig: KUBECONFIG is how most users point tools at a cluster.
    minilb = await startMinilb(['-lease-namespace', 'minilb'], { env: { KUBECONFIG: kubeconfig, HOME: '/nonexistent' } });
  });
  afterAll(async () => {
    await minilb?.stop();
    await cluster?.stop();
  });

  it('serves the cluster through KUBECONFIG and an exec-plugin user', async () => {
    await waitFor(async () => answersOf(await digAt(minilb.dnsPort, 'shop.example.com'), 'A')[0] === podIP || undefined, {
      what: 'shop.example.com answered',
      timeoutMs: 10_000,
    });
    expect(readFileSync(join(cluster.dataDir, 'plugin-calls'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(1);
  });

  it('inspect explains the name from the API server, matches the live server, and reads /v1/explain', async () => {
    const local = await minilbCli('inspect', 'shop.example.com', '--kubeconfig', cluster.kubeconfigPath, '--dns', minilb.address);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toContain(`shop.example.com resolves: ${podIP}`);
    expect(local.stdout).toContain('Service (minilb/host) shop/web claims shop.example.com');
    expect(local.stdout).toMatch(new RegExp(`${podIP.replace(/\./g, '\\.')}\\s+ready\\s+pod web-1 on node1\\s+answered`));
    expect(local.stdout).toContain(`live (${minilb.address}): the live answer matches`);

    const remote = await minilbCli('inspect', 'shop.example.com', '--api', minilb.apiUrl, '-o', 'json');
    expect(remote.code).toBe(0);
    expect(JSON.parse(remote.stdout).explanation.answers.a).toContain(podIP);

    const missing = await minilbCli('inspect', 'nope.shop.minilb', '--kubeconfig', cluster.kubeconfigPath);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('does not exist in the zone (NXDOMAIN)');
  });
});
