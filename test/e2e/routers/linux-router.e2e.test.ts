// `minilb routes --apply` against a real Linux router: OpenSSH's sshd and iproute2 in a network
// namespace, nodes and a pod behind it, and a LAN client that must reach the pod through it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, minilb, startWatch, writeNodes, type TestNode } from './minilb-cli.js';
import { Lab, assertRoot, cleanStaleLabs, waitFor } from './netns-lab.js';
import { generateHostKey, makeClient, startOpenSshd, type SshClient } from './ssh-servers.js';

// LAN client 198.51.100.10 -- router 198.51.100.1 | 192.0.2.1/28 -- node n1 192.0.2.11 -- pod 10.244.1.10
//                                                 | 192.0.2.17/28 -- node n2 192.0.2.27
const n1: TestNode = { name: 'n1', podCIDRs: ['10.244.1.0/24', '2001:db8:244:1::/64'], internalIPs: ['192.0.2.11', '2001:db8:1::11'] };
const n2: TestNode = { name: 'n2', podCIDRs: ['10.244.2.0/24'], internalIPs: ['192.0.2.27'] };
const n3: TestNode = { name: 'n3', podCIDRs: ['10.244.3.0/24'], internalIPs: ['192.0.2.13'] }; // on-link, no namespace needed
const far: TestNode = { name: 'far', podCIDRs: ['10.244.5.0/24'], internalIPs: ['192.0.2.200'] }; // not on any router network

interface Owned {
  dst: string;
  gateway?: string;
  protocol?: string;
}

describe('minilb routes on a Linux router over OpenSSH', () => {
  let lab: Lab;
  let router: string;
  let client: string;
  let ssh: SshClient;
  let manifests: string;
  let sshFlags: string[];

  const owned = (): Owned[] =>
    (lab.routes(router) as Owned[]).filter((r) => r.protocol === '250').map((r) => ({ dst: r.dst, gateway: r.gateway }));
  const apply = (nodes: TestNode[], ...extra: string[]) => minilb(client, ['routes', '--apply', '--manifests', writeNodes(manifests, nodes), ...sshFlags, ...extra]);
  const ping = (address: string): boolean =>
    lab.exec(client, ['busybox', 'ping', '-c', '1', '-W', '2', address], { timeoutMs: 10_000 }).status === 0;

  beforeAll(async () => {
    assertRoot();
    cleanStaleLabs();
    ensureCliBuilt();
    lab = new Lab('linux');
    manifests = join(lab.dir, 'nodes.yaml');
    const forward = ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'];
    router = lab.netns('r', forward);
    client = lab.netns('lan');
    const node1 = lab.netns('n1', forward);
    const node2 = lab.netns('n2');
    const pod1 = lab.netns('p1');
    lab.link({ ns: router, dev: 'lan0', addrs: ['198.51.100.1/24', '2001:db8:100::1/64'] }, { ns: client, dev: 'eth0', addrs: ['198.51.100.10/24', '2001:db8:100::10/64'] });
    lab.link({ ns: router, dev: 'nodes1', addrs: ['192.0.2.1/28', '2001:db8:1::1/64'] }, { ns: node1, dev: 'eth0', addrs: ['192.0.2.11/28', '2001:db8:1::11/64'] });
    lab.link({ ns: router, dev: 'nodes2', addrs: ['192.0.2.17/28'] }, { ns: node2, dev: 'eth0', addrs: ['192.0.2.27/28'] });
    lab.link({ ns: node1, dev: 'pods', addrs: ['10.244.1.1/24', '2001:db8:244:1::1/64'] }, { ns: pod1, dev: 'eth0', addrs: ['10.244.1.10/24', '2001:db8:244:1::10/64'] });
    for (const [ns, v4, v6] of [
      [client, '198.51.100.1', '2001:db8:100::1'],
      [node1, '192.0.2.1', '2001:db8:1::1'],
      [pod1, '10.244.1.1', '2001:db8:244:1::1'],
    ] as const) {
      lab.ip(ns, ['route', 'add', 'default', 'via', v4]);
      lab.ip(ns, ['-6', 'route', 'add', 'default', 'via', v6]);
    }
    lab.ip(node2, ['route', 'add', 'default', 'via', '192.0.2.17']);

    const hostKey = generateHostKey(lab.dir, 'router_host_key');
    ssh = makeClient(lab.dir, [
      { host: '198.51.100.1', key: hostKey.publicKey },
      { host: '2001:db8:100::1', key: hostKey.publicKey },
    ]);
    await startOpenSshd(lab, router, ['198.51.100.1', '2001:db8:100::1'], hostKey.path, ssh.publicKey);
    sshFlags = ['--ssh', 'root@198.51.100.1', ...ssh.options.flatMap((o) => ['--ssh-option', o])];
  });

  afterAll(() => lab?.destroy());

  it('prints the plan on a dry run and changes nothing', () => {
    const before = lab.routes(router);
    const r = apply([n1, n2], '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'Router root@198.51.100.1 (linux; minilb owns routes with proto 250):',
        '+ 10.244.1.0/24 via 192.0.2.11 (node n1)',
        '+ 10.244.2.0/24 via 192.0.2.27 (node n2)',
        '+ 2001:db8:244:1::/64 via 2001:db8:1::11 (node n1)',
        'Plan: 3 to add, 0 to change, 0 to remove, 0 in place.',
        'Dry run: nothing was changed.',
        '',
      ].join('\n'),
    );
    expect(lab.routes(router)).toEqual(before);
  });

  it('applies the routes, and a LAN client then reaches a pod through the router', () => {
    expect(ping('10.244.1.10')).toBe(false);
    const r = apply([n1, n2], '--yes');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Applied 3 change(s); root@198.51.100.1 now matches the cluster.');
    expect(owned()).toEqual([
      { dst: '10.244.1.0/24', gateway: '192.0.2.11' },
      { dst: '10.244.2.0/24', gateway: '192.0.2.27' },
      { dst: '2001:db8:244:1::/64', gateway: '2001:db8:1::11' },
    ]);
    expect(ping('10.244.1.10')).toBe(true);
    expect(ping('2001:db8:244:1::10')).toBe(true);
  });

  it('changes nothing the second time (here over IPv6 and with --router linux)', () => {
    const before = lab.routes(router);
    const flags = sshFlags.map((f) => (f === 'root@198.51.100.1' ? 'root@[2001:db8:100::1]:22' : f));
    const r = minilb(client, ['routes', '--apply', '--manifests', writeNodes(manifests, [n1, n2]), ...flags, '--router', 'linux', '--yes']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Plan: 0 to add, 0 to change, 0 to remove, 3 in place.\nNothing to change.\n');
    expect(lab.routes(router)).toEqual(before);
  });

  it('refuses without a terminal to ask on and without --yes', () => {
    const before = lab.routes(router);
    const r = apply([n1]);
    expect(r.status).toBe(8);
    expect(r.stderr).toContain('there is no terminal to ask on; pass --yes');
    expect(lab.routes(router)).toEqual(before);
  });

  it('removes the route of a node that is gone', () => {
    const r = apply([n1], '--yes');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('- 10.244.2.0/24 via 192.0.2.27 dev nodes2 proto 250: no node has this podCIDR any more');
    expect(owned().map((o) => o.dst)).toEqual(['10.244.1.0/24', '2001:db8:244:1::/64']);
  });

  it('reports a foreign route on the same prefix and leaves it as it is', () => {
    lab.ip(router, ['route', 'add', '10.244.3.0/24', 'via', '192.0.2.12', 'proto', 'static']);
    const r = apply([n1, n2, n3], '--yes');
    expect(r.status).toBe(7);
    expect(r.stdout).toContain(
      '! 10.244.3.0/24 via 192.0.2.13 (node n3): the router has 10.244.3.0/24 via 192.0.2.12 dev nodes1 proto static, which minilb does not own; left untouched',
    );
    expect(r.stdout).toContain('+ 10.244.2.0/24 via 192.0.2.27 (node n2)');
    expect(lab.routes(router)).toContainEqual(
      expect.objectContaining({ dst: '10.244.3.0/24', gateway: '192.0.2.12', protocol: '4' }),
    );
    expect(owned().map((o) => o.dst)).toEqual(['10.244.1.0/24', '10.244.2.0/24', '2001:db8:244:1::/64']);
    lab.ip(router, ['route', 'del', '10.244.3.0/24', 'via', '192.0.2.12', 'proto', 'static']);
  });

  it('refuses the whole plan when a next hop is off-link, leaving the router unchanged', () => {
    const before = lab.routes(router);
    const r = apply([n1, n3, far], '--yes'); // would also remove n2's route and add n3's
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('next hop 192.0.2.200 of 10.244.5.0/24 (node far): the router has no route to 192.0.2.200');
    expect(r.stderr).toContain('Nothing was changed.');
    expect(lab.routes(router)).toEqual(before);
  });

  it('reports an ssh failure with exit 4', () => {
    const flags = sshFlags.map((f) => (f === 'root@198.51.100.1' ? 'root@198.51.100.1:2222' : f));
    const r = minilb(client, ['routes', '--apply', '--manifests', writeNodes(manifests, [n1]), ...flags, '--yes']);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('ssh root@198.51.100.1:2222 failed');
  });

  it('--watch keeps the router in sync as nodes come and go, and stops on SIGTERM', async () => {
    writeNodes(manifests, [n1, n2]);
    const watch = startWatch(client, ['routes', '--manifests', manifests, ...sshFlags, '--watch', '--yes', '--interval', '1']);
    try {
      await waitFor('the watch to reach the router', () => watch.output().includes('in place'), 20_000);
      writeNodes(manifests, [n1]);
      await waitFor("n2's route to be pruned by the watch", () => !owned().some((o) => o.dst === '10.244.2.0/24'), 20_000);
      writeNodes(manifests, [n1, n2]);
      await waitFor("n2's route to come back", () => owned().some((o) => o.dst === '10.244.2.0/24'), 20_000);
      // A route lost behind minilb's back (a link flap does this) is put back too.
      lab.ip(router, ['route', 'del', '10.244.1.0/24', 'proto', '250']);
      await waitFor("n1's route to be repaired", () => owned().some((o) => o.dst === '10.244.1.0/24'), 20_000);
    } finally {
      expect(await watch.stop()).toBe(0);
    }
    expect(watch.output()).toContain('- 10.244.2.0/24 via 192.0.2.27');
    expect(ping('10.244.1.10')).toBe(true);
  });
});
