// minilb against the real API server and controllers, running as the least-privilege
// ServiceAccount of examples/deploy: Service status, answers that follow pod readiness within a
// second, Ingress and Gateway API names, and Events. (Issue scenarios 1, 2, 3 and 7.)

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  applyYaml,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  deletePod,
  finishPodDeletion,
  installGatewayApiCrds,
  minilbServiceAccountKubeconfig,
  parseYaml,
  repoRoot,
  setPodReady,
  startCluster,
  startMinilb,
  waitFor,
  waitForCrdsEstablished,
  digAt,
  type Cluster,
  type Minilb,
} from '../harness/index.js';
import { dryRunApply, gatewayApiPath, ingressPath, patchStatus, readObject, servicePath } from './admin-api.js';

// How long until `probe` holds, in ms; fails the test past `limitMs` (plus slack to report).
async function msUntil(what: string, probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await probe()) || undefined, { what, timeoutMs: limitMs * 5, intervalMs: 20 });
  const took = Date.now() - started;
  expect(took, `${what} took ${took} ms`).toBeLessThan(limitMs);
  return took;
}

async function addresses(minilb: Minilb, name: string): Promise<string[]> {
  const [a, aaaa] = await Promise.all([digAt(minilb.dnsPort, name, 'A'), digAt(minilb.dnsPort, name, 'AAAA')]);
  return [...answersOf(a, 'A'), ...answersOf(aaaa, 'AAAA')].sort();
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

describe('minilb on a live cluster, as the examples/deploy ServiceAccount', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  const pods: Record<string, string[]> = {};

  beforeAll(async () => {
    cluster = await startCluster();
    await waitForCrdsEstablished(await installGatewayApiCrds('experimental'));
    await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    await createNode('node2', ['192.0.2.32', '2001:db8:1::32']);
    const sa = await minilbServiceAccountKubeconfig();
    minilb = await startMinilb(['-kubeconfig', sa.kubeconfigPath, '-lease-namespace', sa.namespace, '-log-level', 'debug']);
  });
  afterAll(async () => {
    await minilb?.stop();
    await cluster?.stop();
  });

  it('accepts every deploy manifest (server-side dry run; the RBAC is also applied for real)', async () => {
    const files = readdirSync(join(repoRoot, 'examples/deploy'), { recursive: true })
      .map(String)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    // The CoreDNS deployment patch is a fragment for `kubectl patch`, not an object.
    const objects = files.flatMap((f) => parseYaml(readFileSync(join(repoRoot, 'examples/deploy', f), 'utf8'))).filter((o) => o.kind);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      expect.arrayContaining(['Deployment/minilb', 'Service/minilb-dns', 'DaemonSet/minilb', 'ConfigMap/coredns', 'ClusterRoleBinding/minilb-coredns-sidecar']),
    );
    // The examples/deploy RBAC is applied for real in beforeAll; the rest, workloads included,
    // is validated and admitted by the API server without being stored.
    for (const obj of objects) await dryRunApply(obj);
  });

  it('scenario 1: writes the status hostname within 2 s and answers both pods, A and AAAA; ignores another class', async () => {
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
    await createLoadBalancerService('shop', 'other', { class: 'metallb', selector: { app: 'web' } });
    const started = Date.now();
    const p1 = await createReadyPod('shop', 'web-1', 'node1', { app: 'web' });
    const p2 = await createReadyPod('shop', 'web-2', 'node2', { app: 'web' });
    pods['web-1'] = (p1.status?.podIPs ?? []).map((p) => p.ip);
    pods['web-2'] = (p2.status?.podIPs ?? []).map((p) => p.ip);
    const all = [...pods['web-1']!, ...pods['web-2']!];
    expect(all).toHaveLength(4);

    await waitFor(
      async () => {
        const svc = await readObject<{ status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }>(servicePath('shop', 'web'));
        return svc.status?.loadBalancer?.ingress?.[0]?.hostname === 'web.shop.minilb' || undefined;
      },
      { what: 'status hostname web.shop.minilb', timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(2000 + 1500); // creating the two pods takes part of it
    await msUntil('web.shop.minilb answers both pods', async () => sameSet(await addresses(minilb, 'web.shop.minilb'), all), 2000);

    const other = await digAt(minilb.dnsPort, 'other.shop.minilb');
    expect(other.status).toBe('NXDOMAIN');
    const otherSvc = await readObject<{ status?: { loadBalancer?: { ingress?: unknown[] } } }>(servicePath('shop', 'other'));
    expect(otherSvc.status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  it('scenario 2: an unready pod leaves the answers within 1 s; terminating pods are the fallback; zero pods is NODATA', async () => {
    await setPodReady('shop', 'web-1', false);
    await msUntil('web-1 gone from the answers', async () => sameSet(await addresses(minilb, 'web.shop.minilb'), pods['web-2']!), 1000);
    await setPodReady('shop', 'web-1', true);
    await msUntil('web-1 back', async () => (await addresses(minilb, 'web.shop.minilb')).length === 4, 1000);

    // A rollout: both pods terminating, none ready. Serving-but-terminating endpoints are answered.
    await deletePod('shop', 'web-1');
    await deletePod('shop', 'web-2');
    await msUntil(
      'terminating pods answered as the fallback',
      async () => sameSet(await addresses(minilb, 'web.shop.minilb'), [...pods['web-1']!, ...pods['web-2']!]),
      1000,
    );
    const explained = (await (await fetch(`${minilb.apiUrl}/v1/explain?name=web.shop.minilb`)).json()) as { services: { fallbackToTerminating: boolean }[] };
    expect(explained.services[0]?.fallbackToTerminating).toBe(true);

    await finishPodDeletion('shop', 'web-1');
    await finishPodDeletion('shop', 'web-2');
    await msUntil('no pods: NODATA', async () => (await addresses(minilb, 'web.shop.minilb')).length === 0, 1000);
    const nodata = await digAt(minilb.dnsPort, 'web.shop.minilb');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority[0]?.type).toBe('SOA');
  });

  it('scenario 3: Ingress, HTTPRoute, GRPCRoute and TLSRoute names, wildcards, the annotation; stale names go within 1 s', async () => {
    await createNamespace('edge');
    await createLoadBalancerService('edge', 'ingress', {
      selector: { app: 'ingress' },
      annotations: { 'minilb/host': 'lb.example.com, lb2.example.com' },
      ports: [{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }],
    });
    const ing = await createReadyPod('edge', 'ingress-1', 'node1', { app: 'ingress' });
    const ingressIPs = (ing.status?.podIPs ?? []).map((p) => p.ip).sort();
    await msUntil('annotation names', async () => sameSet(await addresses(minilb, 'lb2.example.com'), ingressIPs), 3000);

    await applyYaml(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: edge}
spec:
  rules:
    - host: shop.example.com
    - host: "*.apps.example.com"
`);
    await patchStatus(ingressPath('edge', 'site'), { loadBalancer: { ingress: [{ hostname: 'ingress.edge.minilb' }] } });
    await msUntil('Ingress host via its status hostname', async () => sameSet(await addresses(minilb, 'shop.example.com'), ingressIPs), 1000);
    expect(await addresses(minilb, 'grafana.apps.example.com')).toEqual(ingressIPs);
    expect((await digAt(minilb.dnsPort, 'a.b.apps.example.com')).status).toBe('REFUSED'); // one label only, per Ingress

    await applyYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  gatewayClassName: test
  listeners:
    - {name: http, hostname: "*.gw.example.com", port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
    - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: edge, sectionName: http}]
  hostnames: [web.gw.example.com, other.example.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: api, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: edge, sectionName: http}]
  hostnames: ["*.grpc.gw.example.com"]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: edge, sectionName: tls}]
  hostnames: [db.example.net]
  rules: [{backendRefs: [{name: db, port: 5432}]}]
`);
    await patchStatus(gatewayApiPath('edge', 'gateways', 'public'), {
      addresses: [{ type: 'Hostname', value: 'ingress.edge.minilb' }, { type: 'IPAddress', value: '192.0.2.80' }],
    });
    const gwAnswer = [...ingressIPs, '192.0.2.80'].sort();
    await msUntil('HTTPRoute name through the Gateway', async () => sameSet(await addresses(minilb, 'web.gw.example.com'), gwAnswer), 1000);
    expect((await digAt(minilb.dnsPort, 'other.example.org')).status).toBe('REFUSED'); // outside the listener hostname
    expect(await addresses(minilb, 'x.y.grpc.gw.example.com')).toEqual(gwAnswer); // any depth, per Gateway API
    await msUntil('TLSRoute name', async () => sameSet(await addresses(minilb, 'db.example.net'), gwAnswer), 3000);

    // Edits and deletions remove stale names within a second.
    await applyYaml(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: edge}
spec:
  rules:
    - host: shop2.example.com
`);
    await msUntil('edited Ingress host gone', async () => (await digAt(minilb.dnsPort, 'shop.example.com')).status === 'REFUSED', 1000);
    expect(await addresses(minilb, 'shop2.example.com')).toEqual(ingressIPs);
    await cluster.kc.makeApiClient((await import('@kubernetes/client-node')).CustomObjectsApi).deleteNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'shop',
      plural: 'httproutes',
      name: 'web',
    });
    await msUntil('deleted HTTPRoute name gone', async () => (await digAt(minilb.dnsPort, 'web.gw.example.com')).status === 'REFUSED', 1000);
    await applyYaml(`
apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: edge, annotations: {minilb/host: lb.example.com}}
`);
    await msUntil('name dropped from the annotation gone', async () => (await digAt(minilb.dnsPort, 'lb2.example.com')).status === 'REFUSED', 1000);
  });

  it('takes its hostname back from a Service marked minilb/exclude, and stops answering it', async () => {
    await createLoadBalancerService('shop', 'opt-out', { selector: { app: 'none' } });
    const hostname = async () =>
      (await readObject<{ status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }>(servicePath('shop', 'opt-out'))).status?.loadBalancer
        ?.ingress?.[0]?.hostname;
    await waitFor(async () => (await hostname()) === 'opt-out.shop.minilb' || undefined, { what: 'status written', timeoutMs: 10_000 });
    await applyYaml('apiVersion: v1\nkind: Service\nmetadata: {name: opt-out, namespace: shop, annotations: {minilb/exclude: "true"}}\n');
    await msUntil('status hostname removed', async () => (await hostname()) === undefined, 2000);
    expect((await digAt(minilb.dnsPort, 'opt-out.shop.minilb')).status).toBe('NXDOMAIN');
  });

  it('raises an Event a user can act on: port differs from targetPort', async () => {
    await createLoadBalancerService('shop', 'mapped', { selector: { app: 'none' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
    const events = await waitFor(
      async () => {
        const list = await readObject<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>(
          '/api/v1/namespaces/shop/events',
        );
        const mine = list.items.filter((e) => e.involvedObject.name === 'mapped');
        return mine.some((e) => e.reason === 'PortMappingBypassed') ? mine : undefined;
      },
      { what: 'PortMappingBypassed Event on shop/mapped', timeoutMs: 10_000 },
    );
    expect(events.find((e) => e.reason === 'PortMappingBypassed')?.message).toContain('targetPort 8080');
    expect(events.map((e) => e.reason)).toContain('NoReadyEndpoints');
  });
});
