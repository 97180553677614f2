// `minilb routes` reading Nodes from a real API server (the e2e harness: kube-apiserver, etcd and
// the node IPAM controller of kube-controller-manager), printing and applying the podCIDRs the
// controller gave, to a Linux router in a network namespace reached with an ssh ProxyCommand.
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, startCluster, type Cluster } from '../harness/index.js';
import { ensureCliBuilt, minilbHere } from './minilb-cli.js';
import { Lab, assertRoot, cleanStaleLabs } from './netns-lab.js';
import { generateHostKey, makeClient, startOpenSshd, type SshClient } from './ssh-servers.js';

// Nodes report IPv4 InternalIPs only: the controller also gives them IPv6 podCIDRs from the
// harness's ULA range, which minilb must report and skip (and which stay out of the namespaces).
describe('minilb routes from a real API server', () => {
  let cluster: Cluster;
  let lab: Lab;
  let router: string;
  let client: string;
  let ssh: SshClient;
  let sshFlags: string[];
  const cidrs = new Map<string, string[]>();

  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C' });
  const owned = (): { dst: string; gateway?: string }[] =>
    (lab.routes(router) as { dst: string; gateway?: string; protocol?: string }[])
      .filter((r) => r.protocol === '250')
      .map((r) => ({ dst: r.dst, gateway: r.gateway }));

  beforeAll(async () => {
    assertRoot();
    cleanStaleLabs();
    ensureCliBuilt();
    cluster = await startCluster();
    for (const [name, ip] of [
      ['api-n1', '192.0.2.11'],
      ['api-n2', '192.0.2.12'],
    ] as const) {
      const node = await createNode(name, [ip]);
      cidrs.set(name, node.spec?.podCIDRs ?? []);
    }

    lab = new Lab('api');
    router = lab.netns('r', ['net.ipv4.ip_forward=1']);
    client = lab.netns('lan');
    const node1 = lab.netns('n1', ['net.ipv4.ip_forward=1']);
    const pod1 = lab.netns('p1');
    lab.link({ ns: router, dev: 'lan0', addrs: ['198.51.100.1/24'] }, { ns: client, dev: 'eth0', addrs: ['198.51.100.10/24'] });
    lab.link({ ns: router, dev: 'nodes', addrs: ['192.0.2.1/24'] }, { ns: node1, dev: 'eth0', addrs: ['192.0.2.11/24'] });
    // The pod sits in the podCIDR the controller chose for api-n1.
    const [net, len] = cidrs.get('api-n1')![0]!.split('/') as [string, string];
    const base = net.split('.').slice(0, 3).join('.');
    lab.link({ ns: node1, dev: 'pods', addrs: [`${base}.1/${len}`] }, { ns: pod1, dev: 'eth0', addrs: [`${base}.10/${len}`] });
    lab.ip(client, ['route', 'add', 'default', 'via', '198.51.100.1']);
    lab.ip(node1, ['route', 'add', 'default', 'via', '192.0.2.1']);
    lab.ip(pod1, ['route', 'add', 'default', 'via', `${base}.1`]);

    const hostKey = generateHostKey(lab.dir, 'router_host_key');
    ssh = makeClient(lab.dir, [{ host: '198.51.100.1', key: hostKey.publicKey }]);
    await startOpenSshd(lab, router, ['198.51.100.1'], hostKey.path, ssh.publicKey);
    // The CLI runs beside the API server; ssh reaches the router's namespace through the LAN
    // client's, as it would through a jump host (-o options pass straight to ssh).
    sshFlags = [
      '--ssh',
      'root@198.51.100.1',
      ...[...ssh.options, `ProxyCommand=ip netns exec ${client} busybox nc %h %p`].flatMap((o) => ['--ssh-option', o]),
    ];
  }, 300_000);

  afterAll(async () => {
    lab?.destroy();
    await cluster?.stop();
  });

  it('prints the podCIDRs the IPAM controller gave, and says why the IPv6 ones are skipped', () => {
    const [n1v4, n1v6] = cidrs.get('api-n1')!;
    const [n2v4, n2v6] = cidrs.get('api-n2')!;
    expect(n1v4).toMatch(/^10\.244\.\d+\.0\/24$/);
    const r = minilbHere(['routes', '--kubeconfig', cluster.kubeconfigPath], env());
    expect(r.status).toBe(0);
    const lines = [`ip route add ${n1v4} via 192.0.2.11`, `ip route add ${n2v4} via 192.0.2.12`];
    expect(r.stdout).toBe(`${lines.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join('\n')}\n`);
    expect(r.stderr).toBe(
      `warning: node api-n1 has no IPv6 InternalIP for podCIDR ${n1v6}; skipped\n` +
        `warning: node api-n2 has no IPv6 InternalIP for podCIDR ${n2v6}; skipped\n`,
    );
  });

  it('finds the cluster through KUBECONFIG too, and names a bad context', () => {
    expect(minilbHere(['routes', '-o', 'json'], { ...env(), KUBECONFIG: cluster.kubeconfigPath }).status).toBe(0);
    const r = minilbHere(['routes', '--kubeconfig', cluster.kubeconfigPath, '--context', 'nope'], env());
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('nope');
  });

  it('applies them to the router, and a LAN client reaches a pod in the podCIDR through it', () => {
    const r = minilbHere(['routes', '--apply', '--yes', '--kubeconfig', cluster.kubeconfigPath, ...sshFlags], env());
    expect(r.stdout).toContain('Applied 2 change(s)');
    expect(r.status).toBe(0);
    expect(owned()).toEqual(
      [
        { dst: cidrs.get('api-n1')![0], gateway: '192.0.2.11' },
        { dst: cidrs.get('api-n2')![0], gateway: '192.0.2.12' },
      ].sort((a, b) => a.dst!.localeCompare(b.dst!, 'en', { numeric: true })),
    );
    const pod = `${cidrs.get('api-n1')![0]!.split('.').slice(0, 3).join('.')}.10`;
    expect(lab.exec(client, ['busybox', 'ping', '-c', '1', '-W', '2', pod], { timeoutMs: 10_000 }).status).toBe(0);
  });

  it('prunes the route of a Node deleted from the cluster', async () => {
    await cluster.kc.makeApiClient(CoreV1Api).deleteNode({ name: 'api-n2' });
    const r = minilbHere(['routes', '--apply', '--yes', '--kubeconfig', cluster.kubeconfigPath, ...sshFlags], env());
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`- ${cidrs.get('api-n2')![0]} via 192.0.2.12 dev nodes proto 250: no node has this podCIDR any more`);
    expect(owned()).toEqual([{ dst: cidrs.get('api-n1')![0], gateway: '192.0.2.11' }]);
  });
});
