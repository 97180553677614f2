// Active health checks on a live cluster: pods whose IPs live in network namespaces with a real
// TCP listener, kept Ready in the API server by the fixture (there is no node lifecycle
// controller). A node whose link goes down leaves the answers within interval x fall + 1 s, its
// un-probed endpoints follow (suspect node); it comes back with its link; with every node
// down, all endpoints are answered (fail open) and the Service gets an Event.

import { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  metricValue,
  minilbServiceAccountKubeconfig,
  scrape,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';
import { assertRoot } from '../routers/netns-lab.js';
import { PodNetwork } from './pod-network.js';

const PORT = 8080;
// The defaults: -health-check-interval 2s, -health-check-fall 2.
const DROP_LIMIT_MS = 2000 * 2 + 1000;

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

async function msUntil(what: string, probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await probe()) || undefined, { what, timeoutMs: limitMs * 4, intervalMs: 50 });
  const took = Date.now() - started;
  expect(took, `${what} took ${took} ms`).toBeLessThan(limitMs);
  return took;
}

describe('node failover with active health checks', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  let net: PodNetwork;
  let core: CoreV1Api;
  const web: Record<string, string[]> = {};
  const db: Record<string, string> = {};

  const answers = async (name: string) => answersOf(await digAt(minilb.dnsPort, name, 'A'), 'A');
  const all = () => Object.values(web).flat();

  beforeAll(async () => {
    assertRoot();
    cluster = await startCluster();
    core = cluster.kc.makeApiClient(CoreV1Api);
    net = new PodNetwork(PORT);
    await createNamespace('shop');
    // Health-checked: two pods on node1, one on node2 and node3. Not checked: db.
    await createLoadBalancerService('shop', 'web', {
      selector: { app: 'web' },
      ipFamilyPolicy: 'SingleStack',
      annotations: { 'minilb/health-check': 'tcp' },
      ports: [{ name: 'http', port: PORT, targetPort: PORT, protocol: 'TCP' }],
    });
    await createLoadBalancerService('shop', 'db', {
      selector: { app: 'db' },
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }],
    });
    for (const [i, nodeName] of ['node1', 'node2', 'node3'].entries()) {
      await createNode(nodeName, [`192.0.2.${51 + i}`]);
      const pods = nodeName === 'node1' ? 3 : 2; // web pods, then one db pod
      const { podIPs } = await net.addNode(nodeName, i + 1, pods);
      web[nodeName] = podIPs.slice(0, pods - 1);
      for (const [j, ip] of web[nodeName]!.entries()) await createReadyPod('shop', `web-${i + 1}${'abc'[j]}`, nodeName, { app: 'web' }, [ip]);
      db[nodeName] = podIPs[pods - 1]!;
      await createReadyPod('shop', `db-${i + 1}`, nodeName, { app: 'db' }, [db[nodeName]!]);
    }
    const sa = await minilbServiceAccountKubeconfig();
    minilb = await startMinilb(['-kubeconfig', sa.kubeconfigPath, '-lease-namespace', sa.namespace]);
    await msUntil('web answers every pod', async () => sameSet(await answers('web.shop.minilb'), all()), 10_000);
    await waitFor(
      async () => metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_health_endpoints', { state: 'up' }) === 4 || undefined,
      { what: 'every web endpoint probed up', timeoutMs: 10_000, intervalMs: 100 },
    );
  });
  afterAll(async () => {
    await minilb?.stop();
    await net?.destroy();
    await cluster?.stop();
  });

  it('a node whose link goes down leaves the answers within interval x fall + 1 s while the API server says Ready', async () => {
    net.setLink('node1', false);
    await msUntil('node1 pods left the web answers', async () => sameSet(await answers('web.shop.minilb'), [...web.node2!, ...web.node3!]), DROP_LIMIT_MS);
    // db is not probed: its node1 pod goes with the node, suspected because both web pods there time out.
    await msUntil('node1 db pod left the db answers', async () => sameSet(await answers('db.shop.minilb'), [db.node2!, db.node3!]), 1500);
    const pod = await core.readNamespacedPod({ namespace: 'shop', name: 'web-1a' });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    const explain = (await (await fetch(`${minilb.apiUrl}/v1/explain?name=db.shop.minilb`)).json()) as {
      services: { endpoints: { address: string; demoted?: string }[] }[];
    };
    expect(explain.services[0]!.endpoints.find((e) => e.address === db.node1)?.demoted).toMatch(/^node suspect since/);
    const metrics = await scrape(`${minilb.httpUrl}/metrics`);
    expect(metricValue(metrics, 'minilb_suspect_nodes')).toBe(1);
    expect(metricValue(metrics, 'minilb_health_probes_total', { result: 'timeout' })).toBeGreaterThan(0);
  });

  it('brings the node back when its link comes up', async () => {
    net.setLink('node1', true);
    await msUntil('node1 pods back in the web answers', async () => sameSet(await answers('web.shop.minilb'), all()), 2000 + 1000 + 1000);
    await msUntil('node1 db pod back', async () => (await answers('db.shop.minilb')).length === 3, 1000);
  });

  it('fails open when every endpoint is down, and raises an Event on the Service', async () => {
    for (const n of ['node1', 'node2', 'node3']) net.setLink(n, false);
    await waitFor(
      async () => {
        const res = (await (await fetch(`${minilb.apiUrl}/v1/explain?name=web.shop.minilb`)).json()) as { services: { failOpen: boolean }[] };
        return res.services[0]?.failOpen || undefined;
      },
      { what: 'explain to say failOpen', timeoutMs: DROP_LIMIT_MS * 2, intervalMs: 100 },
    );
    // Never answered empty because of a check: every pod, as before the checks said anything.
    expect(sameSet(await answers('web.shop.minilb'), all())).toBe(true);
    const event = await waitFor(
      async () => {
        const list = await core.listNamespacedEvent({ namespace: 'shop' });
        return list.items.find((e: CoreV1Event) => e.reason === 'AllEndpointsDown' && e.involvedObject.name === 'web');
      },
      { what: 'an AllEndpointsDown Event on Service shop/web', timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(event.message).toContain('fail open');
    for (const n of ['node1', 'node2', 'node3']) net.setLink(n, true);
    await msUntil('every pod answered and probed up again', async () => {
      const metrics = await scrape(`${minilb.httpUrl}/metrics`);
      return metricValue(metrics, 'minilb_health_endpoints', { state: 'up' }) === 4;
    }, 2000 + 1000 + 1000);
  });
});
