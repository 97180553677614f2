import { describe, expect, it } from 'vitest';
import type { TrimmedNode } from '../index/cluster-objects.js';
import { desiredRoutes } from './pod-cidr-routes.js';
import { routerHint, routerHintLines } from './router-hint.js';

function node(name: string, podCIDRs: string[], addresses: [type: string, address: string][]): TrimmedNode {
  return {
    kind: 'Node',
    meta: { namespace: '', name, creationTimestamp: '', annotations: {}, labels: {} },
    podCIDRs,
    addresses: addresses.map(([type, address]) => ({ type, address })),
  };
}

describe('desired routes', () => {
  it('gives one route per podCIDR via the InternalIP of the same family (dual-stack gives two)', () => {
    const { routes, problems } = desiredRoutes([
      node('n1', ['10.244.1.0/24', '2001:db8:244:1::/64'], [
        ['Hostname', 'n1'],
        ['ExternalIP', '198.51.100.11'],
        ['InternalIP', '192.0.2.11'],
        ['InternalIP', '2001:DB8:1:0::11'],
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(routes).toEqual([
      { node: 'n1', family: 4, cidr: '10.244.1.0/24', via: '192.0.2.11' },
      { node: 'n1', family: 6, cidr: '2001:db8:244:1::/64', via: '2001:db8:1::11' },
    ]);
  });

  it("uses the node's first InternalIP of a family, as kubelet lists its primary address first", () => {
    const { routes } = desiredRoutes([node('n1', ['10.244.1.0/24'], [['InternalIP', '192.0.2.11'], ['InternalIP', '192.0.2.99']])]);
    expect(routes.map((r) => r.via)).toEqual(['192.0.2.11']);
  });

  it('reports and skips nodes without podCIDRs or without an address of the family, never guessing', () => {
    const { routes, problems } = desiredRoutes([
      node('no-cidr', [], [['InternalIP', '192.0.2.13']]),
      node('v4-only', ['10.244.4.0/24', '2001:db8:244:4::/64'], [['InternalIP', '192.0.2.14']]),
      node('external-only', ['10.244.5.0/24'], [['ExternalIP', '198.51.100.15']]),
    ]);
    expect(routes).toEqual([{ node: 'v4-only', family: 4, cidr: '10.244.4.0/24', via: '192.0.2.14' }]);
    expect(problems).toEqual([
      { node: 'external-only', message: 'node external-only has no IPv4 InternalIP for podCIDR 10.244.5.0/24; skipped' },
      {
        node: 'no-cidr',
        message: 'node no-cidr has no spec.podCIDRs (is the controller manager allocating node CIDRs?); skipped',
      },
      { node: 'v4-only', message: 'node v4-only has no IPv6 InternalIP for podCIDR 2001:db8:244:4::/64; skipped' },
    ]);
  });

  it('reports malformed values instead of inventing a route from them', () => {
    const { routes, problems } = desiredRoutes([
      node('bad', ['10.244.7.5/24', 'ten', '10.244.8.0/24'], [['InternalIP', 'not-an-ip']]),
    ]);
    expect(routes).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      'node bad has an InternalIP that is not an IP address ("not-an-ip"); ignored',
      'node bad has podCIDR 10.244.7.5/24 with host bits set (10.244.7.0/24 is the network); skipped',
      'node bad has podCIDR "ten", which is not a CIDR; skipped',
      'node bad has no IPv4 InternalIP for podCIDR 10.244.8.0/24; skipped',
    ]);
  });

  it('gives a prefix claimed by two nodes to neither', () => {
    const { routes, problems } = desiredRoutes([
      node('b', ['10.244.1.0/24'], [['InternalIP', '192.0.2.12']]),
      node('a', ['10.244.1.0/24'], [['InternalIP', '192.0.2.11']]),
      node('c', ['10.244.3.0/24'], [['InternalIP', '192.0.2.13']]),
    ]);
    expect(routes.map((r) => r.node)).toEqual(['c']);
    expect(problems).toEqual([
      { node: 'a', message: 'podCIDR 10.244.1.0/24 is claimed by nodes a, b; skipped for all of them' },
      { node: 'b', message: 'podCIDR 10.244.1.0/24 is claimed by nodes a, b; skipped for all of them' },
    ]);
  });

  it('sorts numerically and is stable whatever order the nodes come in', () => {
    const nodes = [
      node('n10', ['10.244.10.0/24', '2001:db8:244:a::/64'], [['InternalIP', '192.0.2.20'], ['InternalIP', '2001:db8:1::20']]),
      node('n2', ['10.244.2.0/24', '2001:db8:244:2::/64'], [['InternalIP', '192.0.2.12'], ['InternalIP', '2001:db8:1::12']]),
      node('n1', ['10.244.1.0/24'], [['InternalIP', '192.0.2.11']]),
    ];
    const forward = desiredRoutes(nodes).routes;
    expect(desiredRoutes([...nodes].reverse()).routes).toEqual(forward);
    expect(forward.map((r) => r.cidr)).toEqual([
      '10.244.1.0/24',
      '10.244.2.0/24',
      '10.244.10.0/24',
      '2001:db8:244:2::/64',
      '2001:db8:244:a::/64',
    ]);
  });
});

describe('start-up hint', () => {
  it('prints the heading and one ip route add line per route', () => {
    const { lines, problems } = routerHint([
      node('n1', ['10.244.1.0/24', '2001:db8:244:1::/64'], [['InternalIP', '192.0.2.11'], ['InternalIP', '2001:db8:1::11']]),
      node('n2', [], []),
    ]);
    expect(lines).toEqual([
      'Add the following routes to your default gateway (router):',
      'ip route add 10.244.1.0/24 via 192.0.2.11',
      'ip route add 2001:db8:244:1::/64 via 2001:db8:1::11',
    ]);
    expect(problems.map((p) => p.node)).toEqual(['n2']);
  });

  it('prints nothing when there is no route', () => {
    expect(routerHintLines([])).toEqual([]);
  });
});
