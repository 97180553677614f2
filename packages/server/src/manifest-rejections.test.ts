// Issue 11, finding 4 with the built server: everything minilb ignores or refuses in its
// manifests is logged once, naming the object and where it came from, and counted by reason,
// however often the names are queried and the files reloaded.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuiltServer, type BuiltServer } from '../testing/built-server.js';
import { udpQuery } from '../testing/dns-test-client.js';

const longName = 'a'.repeat(70);

const first = `kind: Servce
metadata: {name: typo, namespace: shop}
spec: {type: LoadBalancer, loadBalancerClass: minilb}
---
kind: Service
metadata: {name: web, namespace: shop, annotations: {minilb/host: "good.sko.ai, bad_name!.sko.ai"}}
spec: {type: LoadBalancer, loadBalancerClass: minilb, ports: [{name: http, port: 80, protocol: TCP}]}
---
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints: [{addresses: [192.0.2.10]}, {addresses: [not-an-ip]}, {addresses: [10.0.0.300]}]
---
kind: Ingress
metadata: {name: site, namespace: shop}
spec: {rules: [{host: site.sko.ai}]}
status: {loadBalancer: {ingress: [{ip: 192.0.2.1}]}}
---
kind: Service
metadata: {name: ${longName}, namespace: shop}
spec: {type: LoadBalancer, loadBalancerClass: minilb}
`;

// The same Ingress again, later: it wins, as kubectl apply -f of both files would leave it.
const second = `kind: Ingress
metadata: {name: site, namespace: shop}
spec: {rules: [{host: site.sko.ai}]}
status: {loadBalancer: {ingress: [{ip: 192.0.2.2}]}}
`;

function logLines(server: BuiltServer): { level: number; msg: string; reason?: string; object?: string }[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; object?: string });
}

describe('finding 4: every rejected or ignored object is reported once', () => {
  let dir: string;
  let server: BuiltServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-rejections-'));
    await writeFile(join(dir, 'a.yaml'), first);
    await writeFile(join(dir, 'b.yaml'), second);
    server = await startBuiltServer(['-manifests', dir]);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('logs each one once with the object and where it is, counts them by reason, and never answers them', async () => {
    for (let i = 0; i < 10; i++) {
      const srv = await udpQuery(server.dnsPort, '_http._tcp.web.shop.minilb', 'SRV');
      expect((srv.packet.answers ?? []).map((a) => (a.data as { target: string }).target)).toEqual(['192-0-2-10.web.shop.minilb']);
      const a = await udpQuery(server.dnsPort, 'web.shop.minilb', 'A');
      expect((a.packet.answers ?? []).map((r) => r.data)).toEqual(['192.0.2.10']);
    }
    expect((await udpQuery(server.dnsPort, 'site.sko.ai', 'A')).packet.answers?.map((r) => r.data)).toEqual(['192.0.2.2']);
    // A reload of an unrelated change must not repeat them either.
    await writeFile(join(dir, 'c.yaml'), 'kind: Node\nmetadata: {name: n1}\nspec: {podCIDRs: [10.244.0.0/24]}\n');
    const deadline = Date.now() + 10_000;
    while (!logLines(server).some((l) => l.msg === 'manifests reloaded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const lines = logLines(server);
    const about = (pattern: RegExp) => lines.filter((l) => pattern.test(l.msg));
    expect(about(/Servce/)).toHaveLength(1);
    expect(about(/Servce/)[0]).toMatchObject({ reason: 'unknown-kind', object: 'Servce shop/typo' });
    expect(about(/Servce/)[0]!.msg).toMatch(/a\.yaml document 1.*did you mean Service\?/);
    expect(about(/Ingress shop\/site is defined twice/)).toHaveLength(1);
    expect(about(/defined twice/)[0]!.msg).toMatch(/b\.yaml document 1 replaces .*a\.yaml document 4/);
    expect(about(/"not-an-ip"/)).toHaveLength(1);
    expect(about(/"not-an-ip"/)[0]).toMatchObject({ reason: 'invalid-address', object: 'EndpointSlice shop/web-1' });
    expect(about(/"10\.0\.0\.300"/)).toHaveLength(1);
    expect(about(/bad_name!/)).toHaveLength(1);
    expect(about(/bad_name!/)[0]).toMatchObject({ reason: 'invalid-hostname', object: 'Service shop/web' });
    expect(about(new RegExp(`name "${longName}" cannot be a DNS label`))).toHaveLength(1);

    const metrics = await (await fetch(`http://127.0.0.1:${server.healthPort}/metrics`)).text();
    const count = (reason: string) => Number(new RegExp(`minilb_rejected_objects\\{reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1]);
    expect(count('unknown-kind')).toBe(1);
    expect(count('duplicate')).toBe(1);
    expect(count('invalid-address')).toBe(2);
    expect(count('invalid-hostname')).toBe(1);
    expect(count('invalid-service-name')).toBe(1);

    const explained = (await (await fetch(`http://127.0.0.1:${server.explainPort}/v1/explain?name=web.shop.minilb`)).json()) as {
      services: { endpoints: { address: string; answered: boolean }[] }[];
    };
    expect(explained.services[0]!.endpoints.filter((e) => e.answered).map((e) => e.address)).toEqual(['192.0.2.10']);
  });
});
