// minilb while the API server misbehaves: stopped for 30 s, paused past the watch watchdog,
// and watches expired by an etcd compaction (410 Gone). Answers never stop, and the state
// catches up. (Issue scenarios 4 and 5.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answersOf,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  digAt,
  metricValue,
  scrape,
  applyYaml,
  sleep,
  startCluster,
  startMinilb,
  waitFor,
  type Cluster,
  type Minilb,
} from '../harness/index.js';
import { ingressPath, patchStatus } from './admin-api.js';

async function ipv4(minilb: Minilb, name: string): Promise<string[]> {
  return answersOf(await digAt(minilb.dnsPort, name, 'A'), 'A');
}

async function etcdRevision(cluster: Cluster): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${cluster.ports.etcdClient}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/').toString('base64'), range_end: Buffer.from('0').toString('base64'), count_only: true }),
  });
  const body = (await res.json()) as { header: { revision: string } };
  return Number(body.header.revision);
}

async function compactEtcd(cluster: Cluster): Promise<number> {
  const revision = await etcdRevision(cluster);
  const res = await fetch(`http://127.0.0.1:${cluster.ports.etcdClient}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: String(revision), physical: true }),
  });
  expect(res.status).toBe(200);
  return revision;
}

describe('minilb when the API server fails', () => {
  let cluster: Cluster;
  let minilb: Minilb;
  const ips: Record<string, string> = {};

  beforeAll(async () => {
    cluster = await startCluster();
    await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    await createNamespace('shop');
    await createLoadBalancerService('shop', 'web', { selector: { app: 'web' } });
    for (const name of ['web-1', 'web-2']) {
      const pod = await createReadyPod('shop', name, 'node1', { app: 'web' });
      ips[name] = pod.status!.podIPs![0]!.ip;
    }
    // A short watchdog, so a silent watch is noticed within the test's time.
    minilb = await startMinilb(['-kubeconfig', cluster.kubeconfigPath, '-watch-idle-timeout', '5s', '-leader-elect=false']);
    await waitFor(async () => (await ipv4(minilb, 'web.shop.minilb')).length === 2 || undefined, { what: 'both pods answered', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await minilb?.stop();
    await cluster?.stop();
  });

  it('scenario 4a: keeps answering while the API server is down for 30 s, then catches up with changes', async () => {
    await cluster.apiserver.stop();
    const downSince = Date.now();
    let queries = 0;
    while (Date.now() - downSince < 30_000) {
      expect((await ipv4(minilb, 'web.shop.minilb')).sort()).toEqual([ips['web-1'], ips['web-2']].sort());
      queries++;
      await sleep(1000);
    }
    expect(queries).toBeGreaterThanOrEqual(25);
    expect((await fetch(`${minilb.httpUrl}/healthz`)).status).toBe(200);
    const stale = metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_last_event_age_seconds', { kind: 'Service' });
    expect(stale).toBeGreaterThan(20);

    await cluster.apiserver.start();
    await cluster.waitReady();
    // kube-controller-manager backs off for up to a minute after an outage; the later scenarios
    // need it, this one does not measure it.
    await cluster.restartControllerManager();
    // A change minilb watches directly (the EndpointSlice controller needs its own time to
    // recover from the restart, which is not minilb's to measure).
    const changed = Date.now();
    await applyYaml('apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop, annotations: {minilb/host: after-restart.example.com}}\n');
    await waitFor(async () => (await ipv4(minilb, 'after-restart.example.com')).length === 2 || undefined, {
      what: 'a change made after the restart shows up',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    // The watches retry at most 8 s apart, so the change shows up within about that.
    expect(Date.now() - changed).toBeLessThan(12_000);
    const restarts = metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_restarts_total', { kind: 'EndpointSlice' });
    expect(restarts).toBeGreaterThan(0);
  });

  it('scenario 4b: restarts a watch that went silent (API server paused past the watchdog)', async () => {
    const before = metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_restarts_total', { reason: 'idle' });
    const answered = await ipv4(minilb, 'web.shop.minilb');
    cluster.apiserver.pause();
    try {
      await sleep(8000);
      expect(await ipv4(minilb, 'web.shop.minilb')).toEqual(answered);
    } finally {
      cluster.apiserver.resume();
    }
    await waitFor(
      async () => metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_restarts_total', { reason: 'idle' }) > before || undefined,
      { what: 'watchdog restarts counted', timeoutMs: 20_000 },
    );
    await cluster.waitReady();
    await applyYaml('apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop, annotations: {minilb/host: after-pause.example.com}}\n');
    await waitFor(async () => (await ipv4(minilb, 'after-pause.example.com')).length > 0 || undefined, {
      what: 'changes flow again after the pause',
      timeoutMs: 20_000,
    });
  });

  it('scenario 5: after an etcd compaction, expired watches (410 Gone) re-list and the state stays right', async () => {
    // Make minilb's watch position old: changes it does not watch move the revision on.
    for (let i = 0; i < 5; i++) await applyYaml(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: filler-${i}, namespace: default}\n`);
    const before = metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_restarts_total', { reason: 'gone' });
    await minilb.process.pause(); // its watches reconnect after the compaction, from an old revision
    try {
      await sleep(500);
      await compactEtcd(cluster);
      // The API server's watch cache remembers recent events; restart it so only etcd answers.
      await cluster.apiserver.restart();
      await cluster.waitReady();
      await applyYaml('apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: late, namespace: shop}\nspec: {rules: [{host: late.example.com}]}\n');
      await patchStatus(ingressPath('shop', 'late'), { loadBalancer: { ingress: [{ ip: '192.0.2.99' }] } });
    } finally {
      minilb.process.resume();
    }
    await waitFor(async () => JSON.stringify(await ipv4(minilb, 'late.example.com')) === '["192.0.2.99"]' || undefined, {
      what: 'the Ingress created during the compaction shows up',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect((await ipv4(minilb, 'web.shop.minilb')).length).toBe(2);
    const gone = metricValue(await scrape(`${minilb.httpUrl}/metrics`), 'minilb_watch_restarts_total', { reason: 'gone' });
    expect(gone, 'watches re-listed after 410 Gone').toBeGreaterThan(before);
  });
});
