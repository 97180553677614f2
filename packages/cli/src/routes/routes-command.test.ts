import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, exitCodes } from '../exit-codes.js';
import { runRoutes } from './routes-command.js';

const dir = mkdtempSync(join(tmpdir(), 'minilb-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = join(dir, 'nodes.yaml');
writeFileSync(
  manifest,
  `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: worker-2}
  spec: {podCIDRs: [10.244.2.0/24, "2001:db8:244:2::/64"]}
  status: {addresses: [{type: InternalIP, address: 192.0.2.12}, {type: InternalIP, address: "2001:db8:1::12"}]}
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1}
  spec: {podCIDR: 10.244.1.0/24}
  status: {addresses: [{type: InternalIP, address: 192.0.2.11}]}
- apiVersion: v1
  kind: Node
  metadata: {name: fresh}
  status: {addresses: [{type: InternalIP, address: 192.0.2.13}]}
---
apiVersion: v1
kind: Service
metadata: {name: ignored, namespace: default}
spec: {type: ClusterIP}
`,
);

async function capture(args: Parameters<typeof runRoutes>[0]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runRoutes(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('minilb routes (printing)', () => {
  it('prints sorted ip lines on stdout and the skipped nodes on stderr', async () => {
    expect(await capture({ manifests: [manifest] })).toEqual({
      code: exitCodes.ok,
      out:
        'ip route add 10.244.1.0/24 via 192.0.2.11\n' +
        'ip route add 10.244.2.0/24 via 192.0.2.12\n' +
        'ip route add 2001:db8:244:2::/64 via 2001:db8:1::12\n',
      err: 'warning: node fresh has no spec.podCIDRs (is the controller manager allocating node CIDRs?); skipped\n',
    });
  });

  it('says on stderr what option 121 cannot carry', async () => {
    const { code, out, err } = await capture({ manifests: [manifest], format: 'dnsmasq', defaultGateway: '192.0.2.1' });
    expect(code).toBe(exitCodes.ok);
    expect(out).toContain('dhcp-option=121,10.244.1.0/24,192.0.2.11,10.244.2.0/24,192.0.2.12,0.0.0.0/0,192.0.2.1\n');
    expect(err).toContain('note: DHCP option 121 carries IPv4 routes only; left out 1 IPv6 route(s) (2001:db8:244:2::/64)');
  });

  it('names the file when the manifests cannot be read (exit 3)', async () => {
    const error = await capture({ manifests: [join(dir, 'missing.yaml')] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(exitCodes.cluster);
    expect((error as CliError).message).toContain('missing.yaml');
  });
});
