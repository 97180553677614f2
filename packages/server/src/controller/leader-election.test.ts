import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { KubeApiError, type KubeClient } from '../sources/kubernetes/kube-client.js';
import { LeaderElector } from './leader-election.js';

// One Lease with the API server's optimistic concurrency: a PUT carrying an old resourceVersion
// gets 409. Every request is recorded.
function leaseStore() {
  let lease: { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined;
  let version = 0;
  const requests: string[] = [];
  const client = {
    async json(path: string, args: { method?: string; body?: { metadata: Record<string, unknown>; spec: Record<string, unknown> } } = {}) {
      const method = args.method ?? 'GET';
      requests.push(method);
      if (method === 'GET') {
        if (!lease) throw new KubeApiError(404, 'NotFound', `GET ${path}: 404`);
        return structuredClone(lease);
      }
      if (method === 'PUT' && args.body?.metadata.resourceVersion !== lease?.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', `PUT ${path}: 409`);
      lease = { metadata: { ...args.body!.metadata, resourceVersion: String(++version) }, spec: structuredClone(args.body!.spec) };
      return structuredClone(lease);
    },
  } as unknown as KubeClient;
  return {
    client,
    requests,
    takeOver(holder: string) {
      lease = { metadata: { ...lease!.metadata, resourceVersion: String(++version) }, spec: { ...lease!.spec, holderIdentity: holder, renewTime: new Date().toISOString() } };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leader election', () => {
  it('renews its own Lease with one write per period, no read', async () => {
    const store = leaseStore();
    let leading = false;
    const elector = new LeaderElector({
      client: store.client,
      namespace: 'default',
      name: 'minilb',
      identity: 'me',
      retryPeriodMs: 20,
      log: createLogger('silent'),
      onStartedLeading: () => (leading = true),
      onStoppedLeading: () => (leading = false),
    });
    elector.start();
    for (let waited = 0; store.requests.length < 8 && waited < 5000; waited += 20) await sleep(20);
    expect(leading).toBe(true);
    const afterStart = store.requests.slice(2); // the first GET (404) and POST
    expect(store.requests.slice(0, 2)).toEqual(['GET', 'POST']);
    expect(afterStart.length).toBeGreaterThanOrEqual(6);
    expect(afterStart.every((m) => m === 'PUT')).toBe(true);
    await elector.stop();
  });

  it('reads the Lease again when another replica wrote it, and steps down once it cannot renew', async () => {
    const store = leaseStore();
    let leading = false;
    const elector = new LeaderElector({
      client: store.client,
      namespace: 'default',
      name: 'minilb',
      identity: 'me',
      retryPeriodMs: 20,
      renewDeadlineMs: 100,
      leaseDurationMs: 60_000,
      log: createLogger('silent'),
      onStartedLeading: () => (leading = true),
      onStoppedLeading: () => (leading = false),
    });
    elector.start();
    await sleep(100);
    expect(leading).toBe(true);
    store.takeOver('other');
    const from = store.requests.length;
    await sleep(400);
    expect(store.requests.slice(from)).toContain('GET');
    expect(leading).toBe(false);
    await elector.stop();
  });
});
