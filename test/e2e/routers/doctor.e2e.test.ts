// `minilb doctor` against a real cluster, a running minilb and a Linux router over SSH: a pod
// whose IP is outside its node's podCIDR, a node the real node IPAM controller could give no
// podCIDR (its range is used up), missing router routes, and a healthy DNS server.
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';
import { ensureCliBuilt, minilbHere } from './minilb-cli.js';
import { Lab, assertRoot, cleanStaleLabs } from './netns-lab.js';
import { generateHostKey, makeClient, startOpenSshd } from './ssh-servers.js';

interface Report {
  findings: { check: string; objects: string[]; message: string; fix: string }[];
  notes: string[];
  unchecked: string[];
}

describe('minilb doctor', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  let lab: Lab;
  let router: string;
  let routerFlags: string[];
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C' });
  const doctor = (...extra: string[]) => {
    const r = minilbHere(['doctor', '--kubeconfig', cluster.kubeconfigPath, '-o', 'json', ...extra], env());
    return { status: r.status, report: JSON.parse(r.stdout || '{}') as Report, stderr: r.stderr };
  };

  beforeAll(async () => {
    assertRoot();
    cleanStaleLabs();
    ensureCliBuilt();
    cluster = await startCluster();
    await createNode('doc-n1', ['192.0.2.11']);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
    await createReadyPod('shop', 'web-1', 'doc-n1', { app: 'web' });
    // A CNI with its own IPAM (Calico, Cilium cluster-pool) gives addresses outside the node's podCIDR.
    await createReadyPod('shop', 'web-2', 'doc-n1', { app: 'web' }, ['10.99.7.5']);

    // Use up the cluster CIDR (256 /24s): the node after that gets no podCIDR from the controller.
    const core = cluster.kc.makeApiClient(CoreV1Api);
    const fillers = Array.from({ length: 255 }, (_, i) => `filler-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < fillers.length; i += 32) {
      await Promise.all(fillers.slice(i, i + 32).map((name) => core.createNode({ body: { metadata: { name } } })));
    }
    await waitFor(
      async () => (await core.listNode()).items.filter((n) => (n.spec?.podCIDRs ?? []).length > 0).length === 256 || undefined,
      { what: 'the node IPAM controller to hand out every /24', timeoutMs: 60_000, intervalMs: 250 },
    );
    await core.createNode({ body: { metadata: { name: 'late' }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.99' }] } } });

    minilb = await startMinilb(['-kubeconfig', cluster.kubeconfigPath, '-leader-elect=false']);

    lab = new Lab('doc');
    router = lab.netns('r');
    const client = lab.netns('lan');
    lab.link({ ns: router, dev: 'lan0', addrs: ['198.51.100.1/24'] }, { ns: client, dev: 'eth0', addrs: ['198.51.100.10/24'] });
    lab.link({ ns: router, dev: 'nodes', addrs: ['192.0.2.1/24'] }, { ns: lab.netns('n1'), dev: 'eth0', addrs: ['192.0.2.11/24'] });
    const hostKey = generateHostKey(lab.dir, 'router_host_key');
    const ssh = makeClient(lab.dir, [{ host: '198.51.100.1', key: hostKey.publicKey }]);
    await startOpenSshd(lab, router, ['198.51.100.1'], hostKey.path, ssh.publicKey);
    routerFlags = [...ssh.options, `ProxyCommand=ip netns exec ${client} busybox nc %h %p`].flatMap((o) => ['--ssh-option', o]);
  }, 300_000);

  afterAll(async () => {
    lab?.destroy();
    await minilb?.stop();
    await cluster?.stop();
  });

  it('names the node without podCIDR and the pod outside its node range, with fixes; exit 1', () => {
    const { status, report } = doctor();
    expect(status).toBe(1);
    const noCidr = report.findings.find((f) => f.check === 'node-podcidr');
    expect(noCidr?.objects).toEqual(['Node late']);
    expect(noCidr?.fix).toContain('--allocate-node-cidrs');
    const outside = report.findings.find((f) => f.check === 'pod-outside-podcidr');
    expect(outside?.objects).toEqual(['Service shop/web', 'Pod shop/web-2', 'Node doc-n1']);
    expect(outside?.message).toContain('pod IP 10.99.7.5 is outside node doc-n1');
    expect(report.findings.filter((f) => f.check === 'node-podcidr')).toHaveLength(1);
  });

  it('checks the router read-only: the missing route is a finding, and gone once applied', () => {
    const target = 'ssh://root@198.51.100.1';
    const before = doctor('--router', target, ...routerFlags);
    const missing = before.report.findings.filter((f) => f.check === 'router');
    expect(missing.map((f) => f.message)).toEqual([expect.stringMatching(/^router ssh:\/\/root@198\.51\.100\.1: \+ 10\.244\.\d+\.0\/24 via 192\.0\.2\.11 \(node doc-n1\)$/)]);
    expect(lab.ip(router, ['route', 'show', 'proto', '250'])).toBe(''); // doctor changed nothing

    const apply = minilbHere(['routes', '--apply', '--yes', '--kubeconfig', cluster.kubeconfigPath, '--ssh', 'root@198.51.100.1', ...routerFlags], env());
    expect(apply.status, apply.stderr).toBe(0);
    const after = doctor('--router', target, ...routerFlags);
    expect(after.report.findings.filter((f) => f.check === 'router')).toEqual([]);
  });

  it('checks the DNS server over UDP and TCP and reads how fresh its records are', async () => {
    const { report } = doctor('--dns', minilb.address);
    expect(report.findings.filter((f) => f.check === 'dns')).toEqual([]);
    expect(report.notes[0]).toMatch(new RegExp(`^${minilb.address}: SOA serial \\d+: records last changed \\d+ s ago$`));
    const dead = doctor('--dns', '127.0.0.1:9');
    expect(dead.report.findings.filter((f) => f.check === 'dns').map((f) => f.message)).toEqual([
      expect.stringContaining('does not answer over UDP'),
      expect.stringContaining('does not answer over TCP'),
    ]);
  });
});
