import { fileURLToPath } from 'node:url';
import { parseListenAddress, readManifests, RecordIndex, startDnsServer, type ClusterObject } from 'minilb-server';
import { describe, expect, it } from 'vitest';
import { clusterFindings, drainNotes } from './cluster-findings.js';
import { formatInspectReport } from '../inspect/inspect-text.js';
import { inspectHostname } from '../inspect/inspect-hostname.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDnsServer } from './dns-check.js';
import { checkEndpointHealth } from './health-check.js';
import { createServer } from 'node:http';
import { doctorExitCode, formatDoctorReport } from './doctor-report.js';

const demo = fileURLToPath(new URL('../../../../examples/demo-cluster.yaml', import.meta.url));
const opts = { domain: 'minilb', lbClass: 'minilb' };

function edit(objects: ClusterObject[], fn: (o: ClusterObject) => ClusterObject): ClusterObject[] {
  return objects.map(fn);
}

describe('minilb doctor', () => {
  it('finds nothing wrong in the demo cluster', async () => {
    const objects = await readManifests([demo]);
    const findings = clusterFindings(objects, opts);
    expect(findings).toEqual([]);
    expect(doctorExitCode({ findings, notes: [], unchecked: [] })).toBe(0);
    expect(formatDoctorReport({ findings, notes: [], unchecked: [] })).toContain('no problems found');
  });

  it('reports each broken prerequisite with the objects and a fix', async () => {
    const objects = edit(await readManifests([demo]), (o) => {
      if (o.kind === 'Node' && o.meta.name === 'node2') return { ...o, podCIDRs: [] };
      if (o.kind === 'EndpointSlice' && o.meta.name === 'mosquitto-x7k2p') return { ...o, endpoints: [{ ...o.endpoints[0]!, address: '192.168.77.5' }] };
      if (o.kind === 'Service' && o.meta.name === 'envoy-public') return { ...o, ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 8443 }] };
      if (o.kind === 'EndpointSlice' && o.meta.name === 'envoy-public-4hx8q') return { ...o, endpoints: o.endpoints.map((e) => ({ ...e, ready: false, serving: false })) };
      return o;
    });
    objects.push({ ...(objects.find((o) => o.kind === 'Ingress')!), meta: { ...objects.find((o) => o.kind === 'Ingress')!.meta, namespace: 'other', creationTimestamp: '2026-09-01T00:00:00Z' } });
    const findings = clusterFindings(objects, opts);
    const byCheck = Object.fromEntries(findings.map((f) => [f.check, f]));
    expect(byCheck['node-podcidr']?.message).toBe('node node2 has no podCIDRs, so the router gets no route to its pods');
    expect(byCheck['node-podcidr']?.fix).toContain('--allocate-node-cidrs');
    expect(byCheck['pod-outside-podcidr']?.objects).toEqual(['Service automation/mosquitto', 'Pod automation/mosquitto-0', 'Node node3']);
    expect(byCheck['pod-outside-podcidr']?.fix).toContain('Calico');
    expect(byCheck['port-mapping']?.fix).toContain('net.ipv4.ip_unprivileged_port_start=443');
    expect(byCheck['no-ready-endpoints']?.objects).toEqual(['Service envoy-gateway/envoy-public']);
    expect(byCheck['hostname-conflict']?.message).toBe(
      'hostname paperless.sko.ai is claimed by 2 objects; Ingress paperless/paperless-ngx wins over Ingress other/paperless-ngx',
    );
    expect(doctorExitCode({ findings, notes: [], unchecked: [] })).toBe(1);
    expect(doctorExitCode({ findings, notes: [], unchecked: ['router: ssh failed'] })).toBe(2);
  });

  it('says which nodes are drained (from -manifests YAML) and which Services only have endpoints there', async () => {
    const yaml = readFileSync(demo, 'utf8')
      .replace('spec: { podCIDR: 10.244.1.0/24,', 'spec: { unschedulable: true, podCIDR: 10.244.1.0/24,')
      .replace(
        'spec: { podCIDR: 10.244.2.0/24,',
        'spec: { taints: [{ key: node.kubernetes.io/unreachable, effect: NoExecute }], podCIDR: 10.244.2.0/24,',
      );
    const file = join(mkdtempSync(join(tmpdir(), 'minilb-doctor-')), 'drained.yaml');
    writeFileSync(file, yaml);
    const objects = await readManifests([file]);
    const notes = drainNotes(objects, opts);
    expect(notes.find((n) => n.startsWith('Node node2:'))).toMatch(/node cordoned \(spec\.unschedulable\); its endpoints of .*haproxy\/internal-kubernetes-ingress/);
    expect(notes.find((n) => n.startsWith('Node node3:'))).toContain('node tainted node.kubernetes.io/unreachable:NoExecute');
    // mosquitto's only pod runs on node3: still answered, and doctor says why.
    const only = clusterFindings(objects, opts).find((f) => f.check === 'only-drained-endpoints');
    expect(only?.objects).toEqual(['Service automation/mosquitto']);

    const text = formatInspectReport(await inspectHostname({ ...opts, name: 'paperless.sko.ai', objects }));
    expect(text).toMatch(/10\.244\.1\.22\s+ready\s+pod \S+ on node2\s+not answered  demoted: node cordoned/);
  });

  it('with --api, reports endpoints a server found down and its suspect nodes', async () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.replaceAll(await readManifests([demo]));
    index.updateHealth({
      endpoints: [{ service: 'haproxy/internal-kubernetes-ingress', address: '10.244.1.22', health: { state: 'down', since: '2026-12-01T10:00:00.000Z', detail: 'no connection within 1000 ms' } }],
      suspectNodes: [{ node: 'node3', since: '2026-12-01T10:00:01.000Z' }],
    });
    // The report as a server's /v1/endpoint-health serves it.
    const server = createServer((_req, res) => res.end(JSON.stringify(index.healthReport())));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { findings, notes } = await checkEndpointHealth(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
      expect(notes[0]).toBe('Node node3 is suspect since 2026-12-01T10:00:01.000Z: every probed endpoint on it fails without a reply; its endpoints are answered only as a last resort');
      expect(notes.some((n) => /endpoint 10\.244\.2\.\d+ on node3: demoted: node suspect/.test(n))).toBe(true);
      const down = findings.find((f) => f.check === 'endpoints-down');
      expect(down?.message).toContain('10.244.1.22 down since 2026-12-01T10:00:00.000Z (no connection within 1000 ms)');
    } finally {
      server.close();
    }
  });

  it('checks a live server over UDP and TCP, and reports one that is not there', async () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    index.replaceAll(await readManifests([demo]));
    const server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index });
    try {
      const ok = await checkDnsServer(`127.0.0.1:${server.port}`, 'minilb');
      expect(ok.findings).toEqual([]);
      expect(ok.notes[0]).toMatch(/SOA serial \d+/);
      const wrongZone = await checkDnsServer(`127.0.0.1:${server.port}`, 'other.zone');
      expect(wrongZone.findings[0]?.message).toContain('it is not serving the other.zone zone');
    } finally {
      await server.close();
    }
    const gone = await checkDnsServer(`127.0.0.1:${server.port}`, 'minilb');
    expect(gone.findings.map((f) => f.message).join('\n')).toMatch(/does not answer over UDP[\s\S]*does not answer over TCP/);
  });
});
