// Two minilb replicas on one cluster: both answer DNS, exactly one writes Service status, and
// when the leader dies the other takes over within the lease duration. (Issue scenario 6.)

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
import { readObject, servicePath } from './admin-api.js';

interface Lease {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number; renewTime?: string };
}

async function leaderOf(replicas: Minilb[]): Promise<Minilb[]> {
  const flags = await Promise.all(replicas.map(async (r) => metricValue(await scrape(`${r.httpUrl}/metrics`), 'minilb_leader')));
  return replicas.filter((_, i) => flags[i] === 1);
}

async function statusHostname(ns: string, name: string): Promise<string | undefined> {
  const svc = await readObject<{ status?: { loadBalancer?: { ingress?: { hostname?: string }[] } } }>(servicePath(ns, name));
  return svc.status?.loadBalancer?.ingress?.[0]?.hostname;
}

describe('two replicas with leader election', () => {
  let cluster: Cluster;
  let replicas: Minilb[] = [];
  let kubeconfig: string;

  beforeAll(async () => {
    cluster = await startCluster();
    await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    kubeconfig = (await minilbServiceAccountKubeconfig()).kubeconfigPath;
    const args = ['-kubeconfig', kubeconfig, '-lease-namespace', 'minilb'];
    replicas = await Promise.all([startMinilb(args), startMinilb(args)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await cluster?.stop();
  });

  it('elects exactly one writer; both answer', async () => {
    const [leader] = await waitFor(async () => ((await leaderOf(replicas)).length === 1 ? leaderOf(replicas) : undefined), {
      what: 'one leader',
      timeoutMs: 20_000,
    });
    expect(await leaderOf(replicas)).toHaveLength(1);
    const lease = await readObject<Lease>('/apis/coordination.k8s.io/v1/namespaces/minilb/leases/minilb');
    expect(lease.spec.holderIdentity).toBeTruthy();
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);

    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' } });
    const pod = await createReadyPod('shop', 'web-1', 'node1', { app: 'web' });
    await waitFor(async () => (await statusHostname('shop', 'web')) === 'web.shop.minilb' || undefined, { what: 'status written', timeoutMs: 10_000 });
    for (const r of replicas) {
      await waitFor(async () => answersOf(await digAt(r.dnsPort, 'web.shop.minilb'), 'A')[0] === pod.status!.podIPs![0]!.ip || undefined, {
        what: `replica on ${r.dnsPort} answers`,
        timeoutMs: 10_000,
      });
    }
    // The leader counts its write once it has read the PATCH's answer, which on a busy machine can
    // come after the test already reads the written status back: wait for the count.
    const writesOf = (r: Minilb) => scrape(`${r.httpUrl}/metrics`).then((text) => metricValue(text, 'minilb_service_status_writes_total', { result: 'ok' }));
    const leaderIndex = replicas.indexOf(leader!);
    await waitFor(async () => ((await writesOf(replicas[leaderIndex]!)) >= 1) || undefined, { what: 'the leader counts its status write', timeoutMs: 10_000 });
    const writes = await Promise.all(replicas.map(writesOf));
    expect(writes[leaderIndex]).toBeGreaterThanOrEqual(1);
    expect(writes[1 - leaderIndex]).toBe(0);
  });

  it('hands over within the lease duration when the leader is killed', async () => {
    const [leader] = await leaderOf(replicas);
    const follower = replicas.find((r) => r !== leader)!;
    const lease = await readObject<Lease>('/apis/coordination.k8s.io/v1/namespaces/minilb/leases/minilb');
    const durationMs = (lease.spec.leaseDurationSeconds ?? 15) * 1000;
    await leader!.process.kill(); // SIGKILL: no chance to hand the lease back
    const killedAt = Date.now();
    await waitFor(async () => (await leaderOf([follower])).length === 1 || undefined, {
      what: 'the follower takes over',
      timeoutMs: durationMs * 3,
      intervalMs: 100,
    });
    const took = Date.now() - killedAt;
    // The lease must expire first; the retry period (2 s, with jitter) comes on top.
    expect(took).toBeLessThan(durationMs + 3_000);
    const after = await readObject<Lease>('/apis/coordination.k8s.io/v1/namespaces/minilb/leases/minilb');
    expect(after.spec.holderIdentity).not.toBe(lease.spec.holderIdentity);
    expect(after.spec.leaseTransitions).toBe((lease.spec.leaseTransitions ?? 0) + 1);

    // The new leader writes: a new Service gets its hostname.
    await createLoadBalancerService('shop', 'api', { selector: { app: 'api' } });
    await waitFor(async () => (await statusHostname('shop', 'api')) === 'api.shop.minilb' || undefined, { what: 'new leader writes status', timeoutMs: 10_000 });
    replicas = [follower];
    await leader!.stop();
  });
});
