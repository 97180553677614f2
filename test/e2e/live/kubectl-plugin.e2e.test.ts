// `kubectl minilb` as a kubectl plugin, through a real kubectl built from the same Kubernetes
// module as the API server: kubectl finds `kubectl-minilb` on PATH (Krew's naming), the plugin
// reads the same kubeconfig (KUBECONFIG) and takes --context and -n as kubectl users expect.
// The same kubectl applies examples/deploy exactly as the README says.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  ensurePeers,
  repoRoot,
  startCluster,
  type Cluster,
} from '../harness/index.js';

const run = promisify(execFile);

let cluster: Cluster;
let kubectlPath: string;
let podIP: string;

async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // node_modules/.bin holds the `kubectl-minilb` link npm makes from the package's bin.
  const env = {
    PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    KUBECONFIG: cluster.kubeconfigPath,
    HOME: '/nonexistent',
  };
  try {
    const { stdout, stderr } = await run(kubectlPath, args, { cwd: repoRoot, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  kubectlPath = (await ensurePeers()).kubectl;
  cluster = await startCluster();
  await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
  await createNamespace('shop');
  await createLoadBalancerService('shop', 'web', { selector: { app: 'web' } });
  podIP = (await createReadyPod('shop', 'web-1', 'node1', { app: 'web' })).status!.podIPs![0]!.ip;
});
afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl minilb', () => {
  it('kubectl lists it as a plugin', async () => {
    const result = await kubectl('plugin', 'list');
    expect(result.stdout).toContain('kubectl-minilb');
  });

  it('inspect reads the kubeconfig kubectl uses; -n names the Service namespace', async () => {
    const byName = await kubectl('minilb', 'inspect', 'web', '-n', 'shop');
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain(`web.shop.minilb resolves: ${podIP}`);
    const byHostname = await kubectl('minilb', 'inspect', 'web.shop.minilb', '--context', 'admin', '-o', 'json');
    expect(byHostname.code).toBe(0);
    expect(JSON.parse(byHostname.stdout).explanation.answers.a).toEqual([podIP]);
  });

  it('a context the kubeconfig lacks is named, exit 3; a bad flag exit 2 before reading', async () => {
    const missing = await kubectl('minilb', 'inspect', 'web.shop.minilb', '--context', 'nope');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('--context nope: no such context');
    const bad = await kubectl('minilb', 'inspect', 'web.shop.minilb', '--contxt', 'admin');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('kubectl minilb: unknown flag --contxt (run "kubectl minilb inspect --help" for the flags)\n');
  });

  it('--help names itself as kubectl minilb and exits 0', async () => {
    const help = await kubectl('minilb', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('kubectl minilb inspect <hostname>');
  });

  it('applies examples/deploy exactly as the README says', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const command = /`(kubectl apply -f examples\/deploy\/[^`]+)`/.exec(readme)?.[1];
    expect(command, 'the README shows a kubectl apply of examples/deploy').toBeDefined();
    const args = command!.split(/\s+/).slice(1);
    const applied = await kubectl(...args);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('deployment.apps/minilb created');
    const deployment = await kubectl('-n', 'minilb', 'get', 'deployment', 'minilb', '-o', 'jsonpath={.spec.replicas}');
    expect(deployment.stdout).toBe('2');
  });
});
