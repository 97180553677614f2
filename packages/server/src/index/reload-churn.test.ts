// A reloaded manifest hands the index every object again, most changed only in fields that claim
// nothing (a label): what the index keeps must not be rebuilt for those, since everything a
// reload rebuilds is garbage the DNS thread collects while answers wait (issue 11).

import { describe, expect, it } from 'vitest';
import { RecordIndex } from './record-index.js';
import { service, slice } from '../../testing/objects.fixture.js';

function newIndex() {
  return new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
}

function addresses(index: RecordIndex, name: string): string[] {
  const result = index.lookup(name);
  return result.kind === 'found' ? [...result.answers.a].sort() : [];
}

describe('reloading objects that changed only where nothing is claimed', () => {
  it('keeps the claims of a Service whose new copy claims the same names, and replaces them when a claim changes', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    const claims = index.claimsFor('shop', 'web');
    const relabelled = service('shop', 'web');
    relabelled.meta.labels = { generation: '2' };
    index.upsert(relabelled);
    expect(index.claimsFor('shop', 'web')).toBe(claims);
    expect(index.get('Service', 'shop', 'web')).toBe(relabelled);

    index.upsert(service('shop', 'web', { annotations: { 'minilb/host': 'shop.example.com' } }));
    const changed = index.claimsFor('shop', 'web');
    expect(changed).not.toBe(claims);
    expect(changed.map((c) => c.name).sort()).toEqual(['shop.example.com', 'web.shop.minilb']);
    index.upsert(service('shop', 'web'));
    expect(index.claimsFor('shop', 'web').map((c) => c.name)).toEqual(['web.shop.minilb']);
    expect(index.lookup('shop.example.com').kind).not.toBe('found');
  });

  it('answers from a slice updated in place, and moves a slice whose Service label changed', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    index.upsert(service('shop', 'api'));
    index.upsert(slice('shop', 'web-1', 'web', 'IPv4', [{ ip: '192.0.2.1' }]));
    expect(addresses(index, 'web.shop.minilb')).toEqual(['192.0.2.1']);
    index.upsert(slice('shop', 'web-1', 'web', 'IPv4', [{ ip: '192.0.2.2' }, { ip: '192.0.2.3' }]));
    expect(addresses(index, 'web.shop.minilb')).toEqual(['192.0.2.2', '192.0.2.3']);
    index.upsert(slice('shop', 'web-1', 'api', 'IPv4', [{ ip: '192.0.2.4' }]));
    expect(addresses(index, 'web.shop.minilb')).toEqual([]);
    expect(addresses(index, 'api.shop.minilb')).toEqual(['192.0.2.4']);
    index.remove('EndpointSlice', 'shop', 'web-1');
    expect(addresses(index, 'api.shop.minilb')).toEqual([]);
  });
});
