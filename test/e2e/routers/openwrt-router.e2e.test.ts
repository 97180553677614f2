// `minilb routes --apply` against an OpenWrt-like router: dropbear as the SSH server, BusyBox
// ash as root's login shell and BusyBox `ip` first on PATH, a real kernel table, and a
// STAND-IN `uci` (OpenWrt's is not packaged here) whose recorded calls are checked against
// golden files written from OpenWrt's documented uci syntax.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, minilb, writeNodes, type TestNode } from './minilb-cli.js';
import { Lab, assertRoot, cleanStaleLabs } from './netns-lab.js';
import { makeClient, startOpenWrtLike, type SshClient } from './ssh-servers.js';
import { UciStandIn } from './uci-stand-in.js';

// One LAN segment, as at home: bridge br-lan on the router (192.0.2.1) with the LAN client
// (192.0.2.100) and the nodes (n1 192.0.2.11 with a pod 10.244.1.10 behind it, n2 192.0.2.12).
const n1: TestNode = { name: 'n1', podCIDRs: ['10.244.1.0/24', '2001:db8:244:1::/64'], internalIPs: ['192.0.2.11', '2001:db8:1::11'] };
const n2: TestNode = { name: 'worker-2', podCIDRs: ['10.244.2.0/24'], internalIPs: ['192.0.2.12'] };
const n3: TestNode = { name: 'n3', podCIDRs: ['10.244.3.0/24'], internalIPs: ['192.0.2.13'] };

// Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review the diff.
function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`golden/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

interface KernelRoute {
  dst: string;
  gateway?: string;
  protocol?: string;
}

describe('minilb routes on an OpenWrt-like router over dropbear', () => {
  let lab: Lab;
  let router: string;
  let client: string;
  let ssh: SshClient;
  let uci: UciStandIn;
  let manifests: string;

  const apply = (nodes: TestNode[], ...extra: string[]) =>
    minilb(client, [
      'routes',
      '--apply',
      '--manifests',
      writeNodes(manifests, nodes),
      '--ssh',
      'root@192.0.2.1',
      ...ssh.options.flatMap((o) => ['--ssh-option', o]),
      ...extra,
    ]);
  // Read with the machine's full iproute2, which shows the protocol BusyBox does not print.
  const owned = (): KernelRoute[] =>
    (lab.routes(router) as KernelRoute[]).filter((r) => r.protocol === '250').map((r) => ({ dst: r.dst, gateway: r.gateway }));
  const sections = (): string[] => uci.committed().filter((l) => l.startsWith('network.minilb_'));
  const ping = (address: string): boolean =>
    lab.exec(client, ['busybox', 'ping', '-c', '1', '-W', '2', address], { timeoutMs: 10_000 }).status === 0;

  beforeAll(async () => {
    assertRoot();
    cleanStaleLabs();
    ensureCliBuilt();
    lab = new Lab('owrt');
    manifests = join(lab.dir, 'nodes.yaml');
    const forward = ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'];
    router = lab.netns('r', forward);
    client = lab.netns('lan');
    const node1 = lab.netns('n1', forward);
    const node2 = lab.netns('n2');
    const pod1 = lab.netns('p1');
    lab.ip(router, ['link', 'add', 'br-lan', 'type', 'bridge']);
    for (const [ns, port, addrs] of [
      [client, 'lan1', ['192.0.2.100/24', '2001:db8:1::100/64']],
      [node1, 'lan2', ['192.0.2.11/24', '2001:db8:1::11/64']],
      [node2, 'lan3', ['192.0.2.12/24']],
    ] as const) {
      lab.link({ ns: router, dev: port, addrs: [] }, { ns, dev: 'eth0', addrs: [...addrs] });
      lab.ip(router, ['link', 'set', port, 'master', 'br-lan']);
    }
    for (const addr of ['192.0.2.1/24', '2001:db8:1::1/64']) {
      lab.ip(router, ['addr', 'add', addr, 'dev', 'br-lan', ...(addr.includes(':') ? ['nodad'] : [])]);
    }
    lab.ip(router, ['link', 'set', 'br-lan', 'up']);
    lab.link({ ns: node1, dev: 'pods', addrs: ['10.244.1.1/24', '2001:db8:244:1::1/64'] }, { ns: pod1, dev: 'eth0', addrs: ['10.244.1.10/24', '2001:db8:244:1::10/64'] });
    for (const [ns, v4, v6] of [
      [client, '192.0.2.1', '2001:db8:1::1'],
      [node1, '192.0.2.1', '2001:db8:1::1'],
      [pod1, '10.244.1.1', '2001:db8:244:1::1'],
    ] as const) {
      lab.ip(ns, ['route', 'add', 'default', 'via', v4]);
      lab.ip(ns, ['-6', 'route', 'add', 'default', 'via', v6]);
    }

    ssh = makeClient(lab.dir, []);
    const server = await startOpenWrtLike(lab, router, '192.0.2.1', ssh.publicKey);
    writeFileSync(join(lab.dir, 'known_hosts'), `192.0.2.1 ${server.publicKey}\n`);
    uci = new UciStandIn(server.binDir, join(lab.dir, 'uci-state'));
  });

  afterAll(() => lab?.destroy());

  it('is reached through BusyBox: ash is the login shell and ip is BusyBox', () => {
    const r = minilb(client, ['--version']);
    expect(r.status).toBe(0);
    const probe = lab.exec(client, [
      'ssh',
      ...ssh.options.flatMap((o) => ['-o', o]),
      '-o',
      'BatchMode=yes',
      'root@192.0.2.1',
      'echo "$SHELL"; readlink -f "$(command -v ip)"; readlink -f "$(command -v sh)"; ip -j route 2>&1 | head -1',
    ]);
    expect(probe.stderr).toBe('');
    const [shell, ip, sh, json] = probe.stdout.split('\n');
    expect(shell).toBe('/usr/local/sbin/ash');
    expect(ip).toBe('/usr/bin/busybox');
    expect(sh).toBe('/usr/bin/busybox');
    expect(json).not.toContain('{'); // no JSON from BusyBox ip
  });

  it('detects OpenWrt, writes named UCI sections, commits, and the routes carry traffic', () => {
    expect(ping('10.244.1.10')).toBe(false);
    const r = apply([n1, n2], '--yes');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'Router root@192.0.2.1 (openwrt; minilb owns UCI sections minilb_*, interface lan, proto 250):',
        '+ 10.244.1.0/24 via 192.0.2.11 (node n1)',
        '+ 10.244.2.0/24 via 192.0.2.12 (node worker-2)',
        '+ 2001:db8:244:1::/64 via 2001:db8:1::11 (node n1)',
        'Plan: 3 to add, 0 to change, 0 to remove, 0 in place.',
        'Applied 3 change(s); root@192.0.2.1 now matches the cluster.',
        '',
      ].join('\n'),
    );
    golden('openwrt-apply.calls', uci.calls());
    expect(sections()).toEqual([
      'network.minilb_n1_v4=route',
      "network.minilb_n1_v4.interface='lan'",
      "network.minilb_n1_v4.target='10.244.1.0/24'",
      "network.minilb_n1_v4.gateway='192.0.2.11'",
      "network.minilb_n1_v4.proto='250'",
      'network.minilb_worker_2_v4=route',
      "network.minilb_worker_2_v4.interface='lan'",
      "network.minilb_worker_2_v4.target='10.244.2.0/24'",
      "network.minilb_worker_2_v4.gateway='192.0.2.12'",
      "network.minilb_worker_2_v4.proto='250'",
      'network.minilb_n1_v6=route6',
      "network.minilb_n1_v6.interface='lan'",
      "network.minilb_n1_v6.target='2001:db8:244:1::/64'",
      "network.minilb_n1_v6.gateway='2001:db8:1::11'",
      "network.minilb_n1_v6.proto='250'",
    ]);
    expect(owned()).toEqual([
      { dst: '10.244.1.0/24', gateway: '192.0.2.11' },
      { dst: '10.244.2.0/24', gateway: '192.0.2.12' },
      { dst: '2001:db8:244:1::/64', gateway: '2001:db8:1::11' },
    ]);
    expect(ping('10.244.1.10')).toBe(true);
    expect(ping('2001:db8:244:1::10')).toBe(true);
  });

  it('changes nothing the second time', () => {
    uci.clearCalls();
    const before = lab.routes(router);
    const r = apply([n1, n2], '--yes');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Plan: 0 to add, 0 to change, 0 to remove, 3 in place.\nNothing to change.\n');
    golden('openwrt-reapply.calls', uci.calls());
    expect(lab.routes(router)).toEqual(before);
  });

  it('deletes the section and the kernel route of a node that is gone', () => {
    uci.clearCalls();
    const r = apply([n1], '--yes');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("- UCI route network.minilb_worker_2_v4 (10.244.2.0/24 via 192.0.2.12): no node has this podCIDR any more");
    golden('openwrt-prune.calls', uci.calls());
    expect(sections().some((l) => l.includes('worker_2'))).toBe(false);
    expect(owned().map((o) => o.dst)).toEqual(['10.244.1.0/24', '2001:db8:244:1::/64']);
  });

  it("refuses to start over someone else's pending UCI edits", () => {
    const config = uci.committed();
    uci.reset(config, ["network.lan.ipaddr='192.0.2.2'"]);
    const before = lab.routes(router);
    const r = apply([n1, n2], '--yes');
    expect(r.status).toBe(5);
    expect(r.stderr).toContain("UCI has pending changes in network that minilb did not make (`uci changes network`):\nnetwork.lan.ipaddr='192.0.2.2'");
    expect(uci.calls()).toBe('changes network\nshow network\n');
    expect(uci.committed()).toEqual(config);
    expect(lab.routes(router)).toEqual(before);
    uci.reset(config);
  });

  it('reports a foreign kernel route on the same prefix and leaves it alone', () => {
    lab.exec(router, ['busybox', 'ip', 'route', 'add', '10.244.3.0/24', 'via', '192.0.2.99']);
    const r = apply([n1, n3], '--yes');
    expect(r.status).toBe(7);
    expect(r.stdout).toContain(
      '! 10.244.3.0/24 via 192.0.2.13 (node n3): the router has 10.244.3.0/24 via 192.0.2.99 dev br-lan, which minilb does not own; left untouched',
    );
    expect(sections().some((l) => l.includes('minilb_n3'))).toBe(false);
    // iproute2 prints no protocol for proto boot, which is what BusyBox's `ip route add` gives.
    const foreign = (lab.routes(router) as KernelRoute[]).filter((route) => route.dst === '10.244.3.0/24');
    expect(foreign).toEqual([expect.objectContaining({ gateway: '192.0.2.99' })]);
    expect(foreign[0]!.protocol).toBeUndefined();
    lab.exec(router, ['busybox', 'ip', 'route', 'del', '10.244.3.0/24', 'via', '192.0.2.99']);
  });

  it('reverts its own edits and leaves the kernel alone when a uci call fails', () => {
    const config = uci.committed();
    uci.clearCalls();
    uci.failOn('minilb_worker_2_v4.gateway');
    const before = lab.routes(router);
    const r = apply([n1, n2], '--yes');
    expect(r.status).toBe(6);
    expect(r.stderr).toContain("failed: uci set network.minilb_worker_2_v4.gateway='192.0.2.12': uci: Invalid argument");
    expect(r.stderr).toContain("not run: uci set network.minilb_worker_2_v4.proto='250' (an earlier step failed)");
    expect(r.stderr).toContain('reverted the uncommitted UCI edits: uci revert network');
    expect(r.stdout).toContain('Not applied (1 of 1); the rest of the router is as it was:\n+ 10.244.2.0/24 via 192.0.2.12 (node worker-2)');
    golden('openwrt-failed-set.calls', uci.calls());
    expect(uci.committed()).toEqual(config);
    expect(lab.routes(router)).toEqual(before);
    uci.failOn('');
  });
});
