import { fileURLToPath } from 'node:url';
import { parseListenAddress, readManifests, RecordIndex, startDnsServer, type ClusterObject, type DnsServer } from 'minilb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectHostname } from './inspect-hostname.js';
import { formatInspectReport } from './inspect-text.js';

const demo = fileURLToPath(new URL('../../../../examples/demo-cluster.yaml', import.meta.url));
const base = { domain: 'minilb', lbClass: 'minilb' };

describe('minilb inspect', () => {
  let objects: ClusterObject[];
  let server: DnsServer;
  let stale: DnsServer;
  beforeAll(async () => {
    objects = await readManifests([demo]);
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.replaceAll(objects);
    server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index });
    // A server whose view is behind: mosquitto's pod moved.
    const staleIndex = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    staleIndex.replaceAll(objects.filter((o) => !(o.kind === 'EndpointSlice' && o.meta.name.startsWith('mosquitto'))));
    stale = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index: staleIndex });
  });
  afterAll(async () => {
    await server?.close();
    await stale?.close();
  });

  it('explains an Ingress host down to the pods, naming which endpoints are answered', async () => {
    const report = await inspectHostname({ ...base, name: 'paperless.sko.ai', objects });
    expect(report.ok).toBe(true);
    const text = formatInspectReport(report);
    expect(text).toMatch(/^paperless\.sko\.ai resolves: 10\.244\.0\.15, 10\.244\.1\.22, fd00:10:244::f, fd00:10:244:1::16/);
    expect(text).toContain('Ingress paperless/paperless-ngx claims paperless.sko.ai');
    expect(text).toContain('-> internal-kubernetes-ingress.haproxy.minilb');
    expect(text).toMatch(/10\.244\.2\.9\s+terminating, serving\s+pod kubernetes-ingress-6c4b2-klmno on node3\s+not answered/);
  });

  it('fails for a Service of another class, and says why', async () => {
    const report = await inspectHostname({ ...base, name: 'traefik.kube-system.minilb', objects });
    expect(report.ok).toBe(false);
    expect(formatInspectReport(report)).toContain('does not exist in the zone (NXDOMAIN)');
  });

  it('warns about a pod outside its node podCIDR and a node without podCIDR', async () => {
    const moved = objects.map((o) =>
      o.kind === 'EndpointSlice' && o.meta.name === 'mosquitto-x7k2p'
        ? { ...o, endpoints: [{ ...o.endpoints[0]!, address: '10.99.0.7' }] }
        : o.kind === 'Node' && o.meta.name === 'node1'
          ? { ...o, podCIDRs: [] }
          : o,
    );
    const report = await inspectHostname({ ...base, name: 'mqtt.sko.ai', objects: moved });
    expect(report.warnings.join('\n')).toContain("10.99.0.7 is outside node node3's podCIDRs (10.244.2.0/24, fd00:10:244:2::/64)");
    const viaNode1 = await inspectHostname({ ...base, name: 'envoy-public.envoy-gateway.minilb', objects: moved });
    expect(viaNode1.warnings.join('\n')).toContain('node node1 has no podCIDR');
  });

  it('compares with a live server: matching, then one that is behind', async () => {
    const live = await inspectHostname({ ...base, name: 'mqtt.sko.ai', objects, dns: `127.0.0.1:${server.port}` });
    expect(live.live).toMatchObject({ matches: true, rcode: 'NOERROR', addresses: ['10.244.2.31'] });
    expect(live.ok).toBe(true);
    const behind = await inspectHostname({ ...base, name: 'mqtt.sko.ai', objects, dns: `127.0.0.1:${stale.port}` });
    expect(behind.ok).toBe(false);
    expect(behind.live?.detail).toContain('expected NOERROR 10.244.2.31, got NOERROR (no addresses)');
  });
});
