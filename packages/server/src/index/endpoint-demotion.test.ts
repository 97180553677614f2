// Drain-aware answers and health demotion, through the record index as the DNS side sees it.

import { describe, expect, it } from 'vitest';
import { RecordIndex } from './record-index.js';
import { node, service, slice } from '../../testing/objects.fixture.js';
import type { Lookup } from './name-lookup.js';
import type { ProbeHealth } from './endpoint-health.js';

function addresses(result: Lookup): string[] {
  if (result.kind !== 'found') return [result.kind];
  return [...result.answers.a, ...result.answers.aaaa].sort();
}

// web has one pod on each of n1, n2, n3; n3 also runs one IPv6 pod.
function cluster() {
  const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
  for (const n of ['n1', 'n2', 'n3']) index.upsert(node(n));
  index.upsert(service('shop', 'web'));
  index.upsert(
    slice('shop', 'web-a', 'web', 'IPv4', [
      { ip: '10.244.1.5', node: 'n1', pod: 'web-1' },
      { ip: '10.244.2.5', node: 'n2', pod: 'web-2' },
      { ip: '10.244.3.5', node: 'n3', pod: 'web-3' },
    ]),
  );
  return index;
}

const down = (since = '2026-12-01T10:00:00Z'): ProbeHealth => ({ state: 'down', since, detail: 'connect timeout after 1000 ms' });
const up = (since = '2026-12-01T10:00:00Z'): ProbeHealth => ({ state: 'up', since, detail: 'connected' });

describe('drain-aware answers', () => {
  it('leaves out the endpoints of a cordoned node while others exist, and brings them back on uncordon', () => {
    const index = cluster();
    const before = index.version;
    index.upsert(node('n2', { unschedulable: true }));
    expect(index.version).toBeGreaterThan(before);
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.3.5']);
    const ep = index.explain('web.shop.minilb').services[0]!.endpoints.find((e) => e.address === '10.244.2.5')!;
    expect(ep).toMatchObject({ answered: false, demoted: 'node cordoned (spec.unschedulable)' });

    index.upsert(node('n2'));
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5', '10.244.3.5']);
  });

  it('demotes nodes tainted unreachable, not-ready or unschedulable by Kubernetes, not other taints', () => {
    const index = cluster();
    index.upsert(node('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }));
    index.upsert(node('n2', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }));
    index.upsert(node('n3', { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }, { key: 'example.com/gpu', effect: 'NoExecute' }] }));
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.3.5']);
    const demoted = index.explain('web.shop.minilb').services[0]!.endpoints.map((e) => e.demoted);
    expect(demoted).toEqual(['node tainted node.kubernetes.io/unreachable:NoExecute', 'node tainted node.kubernetes.io/not-ready:NoSchedule', undefined]);

    index.upsert(node('n3', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }));
    // Nothing elsewhere is usable: the drained nodes' pods still serve, so they are answered.
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5', '10.244.3.5']);
    const explained = index.explain('web.shop.minilb');
    expect(explained.services[0]!.demotedOnly).toBe(true);
    expect(explained.warnings.join('\n')).toContain('every usable endpoint is on a cordoned, tainted or suspect node');
  });

  it('reads cordons and taints from manifests (replaceAll) the same way', () => {
    const index = cluster();
    index.replaceAll([...index.list('Service'), ...index.list('EndpointSlice'), node('n1'), node('n2'), node('n3', { unschedulable: true })]);
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5']);
  });
});

describe('health demotion order', () => {
  it('leaves out endpoints found down, and keeps the response cache honest by changing the version', () => {
    const index = cluster();
    const before = index.version;
    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.2.5', health: down() }] });
    expect(index.version).toBeGreaterThan(before);
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.3.5']);
    const ep = index.explain('web.shop.minilb').services[0]!.endpoints.find((e) => e.address === '10.244.2.5')!;
    expect(ep).toMatchObject({ health: 'down', healthSince: '2026-12-01T10:00:00Z', answered: false });

    // The same state again (a newer probe detail) changes nothing a client sees.
    const unchanged = index.version;
    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.2.5', health: { ...down(), detail: 'EHOSTUNREACH' } }] });
    expect(index.version).toBe(unchanged);

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.2.5', health: up() }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5', '10.244.3.5']);
  });

  it('fails open: when every endpoint is down all are answered, and explain says so', () => {
    const index = cluster();
    index.updateHealth({
      endpoints: ['10.244.1.5', '10.244.2.5', '10.244.3.5'].map((address) => ({ service: 'shop/web', address, health: down() })),
    });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5', '10.244.3.5']);
    const explained = index.explain('web.shop.minilb');
    expect(explained.services[0]!.failOpen).toBe(true);
    expect(explained.warnings.join('\n')).toContain('answering all of them (fail open)');
  });

  it('prefers, in order: healthy elsewhere, then alive on a drained or suspect node, then down (fail open)', () => {
    const index = cluster();
    index.upsert(node('n1', { unschedulable: true }));
    index.updateHealth({ suspectNodes: [{ node: 'n2', since: '2026-12-01T10:00:00Z' }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.3.5']);
    expect(index.explain('web.shop.minilb').services[0]!.endpoints[1]!.demoted).toMatch(/^node suspect since 2026-12-01T10:00:00Z/);

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.3.5', health: down() }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5']);

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.1.5', health: down() }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.2.5']);

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.2.5', health: down() }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5', '10.244.3.5']);

    index.updateHealth({ suspectNodes: [{ node: 'n2', since: undefined }], endpoints: [{ service: 'shop/web', address: '10.244.2.5', health: undefined }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.2.5']);
  });

  it('fails open per address family: a dead IPv4 side never empties A answers', () => {
    const index = cluster();
    index.upsert(slice('shop', 'web-b', 'web', 'IPv6', [{ ip: 'fd00:10:244:3::5', node: 'n3' }]));
    index.updateHealth({
      endpoints: ['10.244.1.5', '10.244.2.5', '10.244.3.5'].map((address) => ({ service: 'shop/web', address, health: down() })),
    });
    const result = index.lookup('web.shop.minilb');
    expect(result.kind === 'found' && result.answers.a).toHaveLength(3);
    expect(result.kind === 'found' && result.answers.aaaa).toEqual(['fd00:10:244:3::5']);
  });
});
