// Smoke scenario 2: the real node IPAM controller gives a new Node one IPv4 and one IPv6
// podCIDR from the dual-stack cluster CIDR, which is what `minilb routes` turns into routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, startCluster, type Cluster } from './harness/index.js';

describe('node IPAM', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives each new Node an IPv4 and an IPv6 podCIDR, distinct per node', async () => {
    const node1 = await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    const node2 = await createNode('node2', ['192.0.2.32', '2001:db8:1::32']);

    for (const node of [node1, node2]) {
      const [v4, v6, ...rest] = node.spec?.podCIDRs ?? [];
      expect(rest).toEqual([]);
      expect(v4).toMatch(/^10\.244\.\d{1,3}\.0\/24$/);
      expect(v6).toMatch(/^fd00:10:244:(?:[0-9a-f]{1,4}:)?:\/64$/);
      expect(node.spec?.podCIDR).toBe(v4);
      // The addresses the fixture registered are what a kubelet would report.
      expect(node.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address)).toEqual(
        node === node1 ? ['192.0.2.31', '2001:db8:1::31'] : ['192.0.2.32', '2001:db8:1::32'],
      );
    }
    expect(node2.spec?.podCIDRs?.[0]).not.toBe(node1.spec?.podCIDRs?.[0]);
    expect(node2.spec?.podCIDRs?.[1]).not.toBe(node1.spec?.podCIDRs?.[1]);
  });
});
