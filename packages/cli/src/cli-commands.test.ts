// The built `minilb` command as a user runs it: inspect, doctor and corefile on manifest files,
// with their exit statuses.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
const demo = join(root, 'examples/demo-cluster.yaml');

async function minilb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('minilb CLI', () => {
  it('inspect: exit 0 for a name that resolves, 1 for one that does not, JSON with -o json', async () => {
    const ok = await minilb('inspect', 'mqtt.sko.ai', '--manifests', demo);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('mqtt.sko.ai resolves: 10.244.2.31');
    expect(ok.stdout).toContain('Service (minilb/host) automation/mosquitto claims mqtt.sko.ai');
    const missing = await minilb('inspect', 'traefik.kube-system.minilb', '--manifests', demo, '-o', 'json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).explanation.result).toBe('nxdomain');
  });

  it('doctor: exit 0 on the demo cluster, 1 with a finding, 2 when the cluster cannot be read', async () => {
    expect((await minilb('doctor', '--manifests', demo)).code).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'minilb-doctor-'));
    try {
      const text = await readFile(demo, 'utf8');
      await writeFile(join(dir, 'c.yaml'), text.replace('{ name: mqtt, port: 1883, targetPort: 1883, protocol: TCP }', '{ name: mqtt, port: 1883, targetPort: 11883, protocol: TCP }'));
      const found = await minilb('doctor', '--manifests', join(dir, 'c.yaml'));
      expect(found.code).toBe(1);
      expect(found.stdout).toContain('✗ [port-mapping] Service automation/mosquitto port 1883 maps to targetPort 11883');
      const unreadable = await minilb('doctor', '--manifests', join(dir, 'missing.yaml'));
      expect(unreadable.code).toBe(2);
      expect(unreadable.stdout).toContain('? could not check: the cluster: cannot read the manifests: -manifests');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Issue 11, finding 4: what the server ignores or refuses, doctor lists.
  it('doctor: lists the objects minilb ignores or refuses, with where they are and what to fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minilb-doctor-rejected-'));
    try {
      await writeFile(
        join(dir, 'c.yaml'),
        [
          'kind: Servce\nmetadata: {name: typo, namespace: shop}',
          'kind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: LoadBalancer, loadBalancerClass: minilb}',
          'kind: EndpointSlice\nmetadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints: [{addresses: [192.0.2.10]}, {addresses: [not-an-ip]}]',
          'kind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: LoadBalancer, loadBalancerClass: minilb}',
        ].join('\n---\n'),
      );
      const found = await minilb('doctor', '--manifests', join(dir, 'c.yaml'));
      expect(found.code).toBe(1);
      expect(found.stdout).toMatch(/✗ \[rejected-object\] Servce shop\/typo \(.*c\.yaml document 1\): ignored, unknown kind "Servce"; did you mean Service\?/);
      expect(found.stdout).toMatch(/✗ \[rejected-object\] Service shop\/web is defined twice: .*c\.yaml document 4 replaces .*c\.yaml document 2/);
      expect(found.stdout).toContain('✗ [rejected-object] EndpointSlice shop/web-1 endpoints[1].addresses: "not-an-ip" is not an IPv4 address; dropped');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('corefile: prints the forwarding block for the served hostnames', async () => {
    const out = await minilb('corefile', '--manifests', demo, '--to', '127.0.0.1:5353', '--zone', 'sko.ai');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('minilb:53 mqtt.example.com:53 sko.ai:53 {');
  });
});
