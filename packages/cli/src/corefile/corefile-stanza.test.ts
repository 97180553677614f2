import { fileURLToPath } from 'node:url';
import { readManifests } from 'minilb-server';
import { describe, expect, it } from 'vitest';
import { corefileStanza, forwardedZones } from './corefile-stanza.js';

const demo = fileURLToPath(new URL('../../../../examples/demo-cluster.yaml', import.meta.url));

describe('minilb corefile', () => {
  it('forwards the zone, each served hostname, and wildcard suffixes, without nested zones', async () => {
    const objects = await readManifests([demo]);
    expect(forwardedZones({ domain: 'minilb', lbClass: 'minilb', objects, extraZones: [] })).toEqual([
      'minilb',
      'grafana.apps.sko.ai',
      'mqtt.example.com',
      'mqtt.sko.ai',
      'paperless.sko.ai',
    ]);
    expect(forwardedZones({ domain: 'minilb', lbClass: 'minilb', objects, extraZones: ['sko.ai'] })).toEqual(['minilb', 'mqtt.example.com', 'sko.ai']);
  });

  it('prints a server block in the style of examples/corefile', async () => {
    const objects = await readManifests([demo]);
    const text = corefileStanza({ domain: 'minilb', lbClass: 'minilb', objects, extraZones: [], to: '127.0.0.1:5353' });
    expect(text).toContain('minilb:53 grafana.apps.sko.ai:53 mqtt.example.com:53 mqtt.sko.ai:53 paperless.sko.ai:53 {');
    expect(text).toContain('    forward . 127.0.0.1:5353 {');
  });
});
