import { describe, expect, it } from 'vitest';
import type { PodRoute } from 'minilb-server';
import { planReport } from './plan-report.js';
import { computeRoutePlan, isChange, type OwnedRoute } from './route-plan.js';

const route = (node: string, cidr: string, via: string): PodRoute => ({ node, family: cidr.includes(':') ? 6 : 4, cidr, via });
const desired = (r: PodRoute) => ({ key: r.cidr, route: r });
const owned = (cidr: string, via: string | undefined, extra: Partial<OwnedRoute> = {}): OwnedRoute => ({
  key: cidr,
  recordedIn: 'kernel',
  cidr,
  via,
  issues: [],
  text: `${cidr}${via ? ` via ${via}` : ''} proto 250`,
  kernel: undefined,
  ...extra,
});

const n1 = route('n1', '10.244.1.0/24', '192.0.2.11');
const n2 = route('n2', '10.244.2.0/24', '192.0.2.12');
const n1v6 = route('n1', '2001:db8:244:1::/64', '2001:db8:1::11');

describe('route plan', () => {
  it('adds what is missing', () => {
    const plan = computeRoutePlan({ desired: [n1, n1v6].map(desired), owned: [], foreign: [], prune: true });
    expect(plan.map((a) => [a.op, a.key])).toEqual([
      ['add', '10.244.1.0/24'],
      ['add', '2001:db8:244:1::/64'],
    ]);
  });

  it('has nothing to do when the router already matches', () => {
    const plan = computeRoutePlan({
      desired: [n1, n2].map(desired),
      owned: [owned(n1.cidr, n1.via), owned(n2.cidr, n2.via)],
      foreign: [{ cidr: '0.0.0.0/0', text: 'default via 198.51.100.254' }],
      prune: true,
    });
    expect(plan.map((a) => a.op)).toEqual(['keep', 'keep']);
    expect(plan.filter(isChange)).toEqual([]);
    expect(planReport(plan, false)).toEqual(['Plan: 0 to add, 0 to change, 0 to remove, 2 in place.']);
  });

  it('changes a route whose node moved to another address, or whose record has issues', () => {
    const plan = computeRoutePlan({
      desired: [n1, n2].map(desired),
      owned: [owned(n1.cidr, '192.0.2.99'), owned(n2.cidr, n2.via, { issues: ['not in the kernel table'] })],
      foreign: [],
      prune: true,
    });
    expect(plan.map((a) => (a.op === 'change' ? [a.op, a.key, a.reasons] : [a.op]))).toEqual([
      ['change', '10.244.1.0/24', ['was via 192.0.2.99']],
      ['change', '10.244.2.0/24', ['not in the kernel table']],
    ]);
  });

  it('removes routes it owns that no node wants, unless told not to prune', () => {
    const input = { desired: [desired(n1)], owned: [owned(n1.cidr, n1.via), owned('10.244.9.0/24', '192.0.2.19')], foreign: [] };
    expect(computeRoutePlan({ ...input, prune: true }).map((a) => [a.op, a.key])).toEqual([
      ['keep', '10.244.1.0/24'],
      ['remove', '10.244.9.0/24'],
    ]);
    expect(computeRoutePlan({ ...input, prune: false }).map((a) => [a.op, a.key])).toEqual([
      ['keep', '10.244.1.0/24'],
      ['stale', '10.244.9.0/24'],
    ]);
  });

  it('reports a foreign route on the same prefix and leaves the prefix alone', () => {
    const plan = computeRoutePlan({
      desired: [n1, n2].map(desired),
      owned: [],
      foreign: [
        { cidr: '10.244.1.0/24', text: '10.244.1.0/24 via 192.0.2.99 dev lan0 proto static' },
        { cidr: '10.244.0.0/16', text: '10.244.0.0/16 via 192.0.2.98 dev lan0 proto static' }, // wider: not a conflict
      ],
      prune: true,
    });
    expect(plan.map((a) => [a.op, a.key])).toEqual([
      ['conflict', '10.244.1.0/24'],
      ['add', '10.244.2.0/24'],
    ]);
    expect(planReport(plan, false)).toEqual([
      '! 10.244.1.0/24 via 192.0.2.11 (node n1): the router has 10.244.1.0/24 via 192.0.2.99 dev lan0 proto static, which minilb does not own; left untouched',
      '+ 10.244.2.0/24 via 192.0.2.12 (node n2)',
      'Plan: 1 to add, 0 to change, 0 to remove, 0 in place, 1 in conflict.',
    ]);
  });

  it('removes a second record under the same key (a proto-N route at another metric)', () => {
    const plan = computeRoutePlan({
      desired: [desired(n1)],
      owned: [owned(n1.cidr, n1.via), owned(n1.cidr, n1.via, { text: '10.244.1.0/24 via 192.0.2.11 proto 250 metric 5' })],
      foreign: [],
      prune: true,
    });
    expect(plan.map((a) => [a.op, 'current' in a ? a.current.text : ''])).toEqual([
      ['remove', '10.244.1.0/24 via 192.0.2.11 proto 250 metric 5'],
      ['keep', '10.244.1.0/24 via 192.0.2.11 proto 250'],
    ]);
  });

  it('prints every kind of line, sorted by prefix with IPv4 first', () => {
    const plan = computeRoutePlan({
      desired: [n1v6, n2, n1].map(desired),
      owned: [owned(n2.cidr, '192.0.2.99'), owned('10.244.9.0/24', '192.0.2.19'), owned(n1v6.cidr, n1v6.via)],
      foreign: [],
      prune: true,
    });
    expect(planReport(plan, true)).toEqual([
      '+ 10.244.1.0/24 via 192.0.2.11 (node n1)',
      '~ 10.244.2.0/24 via 192.0.2.12 (node n2): was via 192.0.2.99',
      '- 10.244.9.0/24 via 192.0.2.19 proto 250: no node has this podCIDR any more',
      '= 2001:db8:244:1::/64 via 2001:db8:1::11 (node n1)',
      'Plan: 1 to add, 1 to change, 1 to remove, 1 in place.',
    ]);
  });
});
