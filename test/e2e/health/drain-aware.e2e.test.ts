// Drain-aware answers on a live cluster: a node cordoned or tainted through the API server stops
// being answered within a second while the Service has pods elsewhere, and comes back when the
// cordon is lifted; a Service whose pods are all on drained nodes keeps answering them.

import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  minilbServiceAccountKubeconfig,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';

async function msUntil(what: string, probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await probe()) || undefined, { what, timeoutMs: limitMs * 5, intervalMs: 20 });
  const took = Date.now() - started;
  expect(took, `${what} took ${took} ms`).toBeLessThan(limitMs);
  return took;
}

const sameSet = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

describe('drain-aware answers on a live cluster', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  let core: CoreV1Api;
  const ips: Record<string, string> = {};

  const answers = async () => answersOf(await digAt(minilb.dnsPort, 'web.shop.minilb', 'A'), 'A');
  const patchNode = (name: string, spec: Record<string, unknown>) =>
    core.patchNode({ name, body: { spec } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

  beforeAll(async () => {
    cluster = await startCluster();
    core = cluster.kc.makeApiClient(CoreV1Api);
    for (const [i, name] of ['node1', 'node2', 'node3'].entries()) await createNode(name, [`192.0.2.${41 + i}`, `2001:db8:1::${41 + i}`]);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' }, ipFamilyPolicy: 'SingleStack', ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
    for (const n of [1, 2, 3]) {
      const pod = await createReadyPod('shop', `web-${n}`, `node${n}`, { app: 'web' });
      ips[`node${n}`] = pod.status!.podIPs!.map((p) => p.ip).find((ip) => !ip.includes(':'))!;
    }
    const sa = await minilbServiceAccountKubeconfig();
    minilb = await startMinilb(['-kubeconfig', sa.kubeconfigPath, '-lease-namespace', sa.namespace]);
    await msUntil('web.shop.minilb answers all three pods', async () => sameSet(await answers(), Object.values(ips)), 10_000);
  });
  afterAll(async () => {
    await minilb?.stop();
    await cluster?.stop();
  });

  it('a cordoned node leaves the answers within 1 s while others exist, and returns on uncordon', async () => {
    await patchNode('node2', { unschedulable: true });
    await msUntil('node2 left the answers', async () => sameSet(await answers(), [ips.node1!, ips.node3!]), 1000);
    const explain = (await (await fetch(`${minilb.apiUrl}/v1/explain?name=web.shop.minilb`)).json()) as {
      services: { endpoints: { address: string; answered: boolean; demoted?: string }[] }[];
    };
    expect(explain.services[0]!.endpoints.find((e) => e.address === ips.node2)).toMatchObject({
      answered: false,
      demoted: 'node cordoned (spec.unschedulable)',
    });

    await patchNode('node2', { unschedulable: false });
    await msUntil('node2 back in the answers', async () => sameSet(await answers(), Object.values(ips)), 1000);
  });

  it('a node.kubernetes.io/unreachable NoExecute taint demotes the node the same way', async () => {
    await patchNode('node3', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    await msUntil('node3 left the answers', async () => sameSet(await answers(), [ips.node1!, ips.node2!]), 1000);
    await patchNode('node3', { taints: null });
    await msUntil('node3 back in the answers', async () => sameSet(await answers(), Object.values(ips)), 1000);
  });

  it('when every node is drained the pods are still answered: nothing empties the answer', async () => {
    for (const n of ['node1', 'node2', 'node3']) await patchNode(n, { unschedulable: true });
    await waitFor(
      async () => {
        const res = (await (await fetch(`${minilb.apiUrl}/v1/explain?name=web.shop.minilb`)).json()) as { services: { demotedOnly: boolean }[] };
        return res.services[0]?.demotedOnly || undefined;
      },
      { what: 'explain to say only drained endpoints are left', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(sameSet(await answers(), Object.values(ips))).toBe(true);
    for (const n of ['node1', 'node2', 'node3']) await patchNode(n, { unschedulable: false });
  });
});
