// -resync keeps client-go's meaning: a pass over the local cache, not a re-list. The API server
// counts every LIST it serves (apiserver_request_total{verb="LIST"}): a healthy minilb, as
// deployed (leader election on), makes none after its start, over several resync periods.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  metricValue,
  sleep,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';
import { apiServerMetrics, readObject, servicePath } from './admin-api.js';

const watched = ['services', 'endpointslices', 'nodes', 'ingresses'];

async function listCalls(): Promise<Record<string, number>> {
  const text = await apiServerMetrics();
  return Object.fromEntries(watched.map((resource) => [resource, metricValue(text, 'apiserver_request_total', { verb: 'LIST', resource })]));
}

describe('minilb -resync', () => {
  let cluster: Cluster;
  let minilb: Minilb;

  beforeAll(async () => {
    cluster = await startCluster();
    await createNode('node1', ['192.0.2.41']);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' } });
    await createReadyPod('shop', 'web-1', 'node1', { app: 'web' });
    minilb = await startMinilb(['-kubeconfig', cluster.kubeconfigPath, '-resync', '2s']);
  });
  afterAll(async () => {
    await minilb?.stop();
    await cluster?.stop();
  });

  it('makes no LIST call between restarts: over five resync periods the API server counts none', async () => {
    // The start-up lists are in once the leader has written the status.
    await waitFor(
      async () => (await readObject<{ status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }>(servicePath('shop', 'web'))).status
        ?.loadBalancer?.ingress?.[0]?.hostname === 'web.shop.minilb' || undefined,
      { what: 'status hostname written', timeoutMs: 15_000 },
    );
    const before = await listCalls();
    for (const resource of watched) expect(before[resource], `LISTs of ${resource} at start-up`).toBeGreaterThan(0);
    await sleep(10_500);
    const after = await listCalls();
    expect(Object.fromEntries(watched.map((r) => [r, (after[r] ?? 0) - (before[r] ?? 0)]))).toEqual(
      Object.fromEntries(watched.map((r) => [r, 0])),
    );
  });

  it('still follows changes through the watch after those periods', async () => {
    const pod = await createReadyPod('shop', 'web-2', 'node1', { app: 'web' });
    const ip = pod.status!.podIPs![0]!.ip;
    await waitFor(async () => answersOf(await digAt(minilb.dnsPort, 'web.shop.minilb', 'A'), 'A').includes(ip) || undefined, {
      what: 'the new pod answered',
      timeoutMs: 5_000,
    });
  });
});
