// The compact endpoint storage answers as before: an endpoint with several addresses, the
// per-endpoint detail (selected again on demand) after health changes, and the endpoint gauge.

import { describe, expect, it } from 'vitest';
import { RecordIndex } from './record-index.js';
import { trimObject } from '../sources/trim-object.js';
import type { ClusterObject } from './cluster-objects.js';
import { node, service, slice } from '../../testing/objects.fixture.js';
import type { Lookup } from './name-lookup.js';

function addresses(result: Lookup): string[] {
  if (result.kind !== 'found') return [result.kind];
  return [...result.answers.a, ...result.answers.aaaa].sort();
}

function rawSlice(endpoints: Record<string, unknown>[]): ClusterObject {
  return trimObject({
    kind: 'EndpointSlice',
    metadata: { namespace: 'shop', name: 'web-a', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    endpoints,
  })!;
}

describe('compact endpoint storage', () => {
  it('answers every address of an endpoint that has several, each with the endpoint conditions', () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(service('shop', 'web'));
    index.upsert(
      rawSlice([
        { addresses: ['10.244.1.5', '10.244.1.6'], conditions: { ready: true }, nodeName: 'n1', targetRef: { kind: 'Pod', name: 'web-1' } },
        { addresses: ['10.244.2.5', 'not-an-ip', '10.244.2.6'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'n2' },
      ]),
    );
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.1.6']);
    const endpoints = index.explain('web.shop.minilb').services[0]!.endpoints;
    expect(endpoints.map((e) => [e.address, e.pod, e.node, e.ready, e.terminating, e.answered])).toEqual([
      ['10.244.1.5', 'web-1', 'n1', true, false, true],
      ['10.244.1.6', 'web-1', 'n1', true, false, true],
      ['10.244.2.5', undefined, 'n2', false, true, false],
      ['10.244.2.6', undefined, 'n2', false, true, false],
    ]);
    expect(index.problemsOf({ kind: 'EndpointSlice', namespace: 'shop', name: 'web-a' }).map((p) => p.message)).toEqual([
      expect.stringContaining('"not-an-ip" is not an IPv4 address'),
    ]);
    expect(index.endpointStates().endpoints).toEqual({ answered: 2, down: 0, demoted: 0, 'not-ready': 2 });
  });

  it('shows the current health in explain, and counts it in the endpoint gauge, after every change', () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.upsert(node('n1'));
    index.upsert(node('n2'));
    index.upsert(service('shop', 'web'));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [
      { ip: '10.244.1.5', node: 'n1' },
      { ip: '10.244.2.5', node: 'n2' },
      { ip: '10.244.2.6', node: 'n2', ready: false },
    ]));
    const detail = () => index.explain('web.shop.minilb').services[0]!.endpoints.map((e) => `${e.address} ${e.health} ${e.answered ? 'answered' : '-'}${e.demoted ? ' demoted' : ''}`);
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.5']);
    expect(detail()).toEqual(['10.244.1.5 unchecked answered', '10.244.2.5 unchecked answered', '10.244.2.6 unchecked -']);

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.1.5', health: { state: 'down', since: '2026-12-01T10:00:00Z', detail: 'refused' } }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.2.5']);
    expect(detail()).toEqual(['10.244.1.5 down -', '10.244.2.5 unchecked answered', '10.244.2.6 unchecked -']);
    expect(index.endpointStates().endpoints).toEqual({ answered: 1, down: 1, demoted: 0, 'not-ready': 1 });

    index.upsert(node('n2', { unschedulable: true }));
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.2.5']);
    expect(detail()).toEqual(['10.244.1.5 down -', '10.244.2.5 unchecked answered demoted', '10.244.2.6 unchecked - demoted']);
    expect(index.endpointStates().endpoints).toEqual({ answered: 1, down: 1, demoted: 0, 'not-ready': 1 });

    index.updateHealth({ endpoints: [{ service: 'shop/web', address: '10.244.1.5', health: undefined }] });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5']);
    expect(detail()).toEqual(['10.244.1.5 unchecked answered', '10.244.2.5 unchecked - demoted', '10.244.2.6 unchecked - demoted']);
    expect(index.endpointStates().endpoints).toEqual({ answered: 1, down: 0, demoted: 1, 'not-ready': 1 });
  });
});
