// The pods behind the propagation and failover scenarios: one Service for minilb and a
// headless twin for CoreDNS, both selecting the same two pods, and a readiness switch for one
// of them written as a kubelet writes it (PUT pods/status), so the real EndpointSlice
// controller updates both Services' slices from the same event.
import { clusterAccess } from 'minilb-server';
import {
  createLoadBalancerService,
  createNamespace,
  createReadyPod,
  type Cluster,
  waitFor,
} from '../../test/e2e/harness/index.js';
import { DnsProbeClient, TYPE_A } from './dns-client.js';
import { CLUSTER_DOMAIN, DOMAIN } from './dataset.js';

type Pod = { metadata: { resourceVersion?: string }; status: { conditions?: Array<Record<string, unknown>>; containerStatuses?: Array<{ ready: boolean }> } };

export interface ReadinessFixture {
  /** minilb's name and CoreDNS's name for the same pods. */
  minilbName: string;
  corednsName: string;
  /** IPv4 of the pod that stays ready and of the one that flips. */
  steadyIP: string;
  flippingIP: string;
  ready: boolean;
  /** Writes the flipping pod's readiness; resolves when the API server has stored it. */
  setReady(ready: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function createReadinessFixture(cluster: Cluster, node: string): Promise<ReadinessFixture> {
  const ns = 'flip';
  await createNamespace(ns);
  const selector = { app: 'web' };
  await createLoadBalancerService(ns, 'web', { selector, ipFamilyPolicy: 'SingleStack' });
  const { KubeClient } = await clusterAccess();
  const client = await KubeClient.create(cluster.kc);
  await client.json(`/api/v1/namespaces/${ns}/services`, {
    method: 'POST',
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-h', namespace: ns }, spec: { clusterIP: 'None', selector, ports: [{ name: 'http', port: 80 }] } },
  });
  const steady = await createReadyPod(ns, 'web-steady', node, selector);
  const flipping = await createReadyPod(ns, 'web-flip', node, selector);
  const ipv4 = (p: typeof steady) => (p.status?.podIPs ?? []).map((x) => x.ip).find((ip) => ip.includes('.'))!;
  const podPath = `/api/v1/namespaces/${ns}/pods/web-flip`;
  let pod = await client.json<Pod>(podPath);
  const fixture: ReadinessFixture = {
    minilbName: `web.${ns}.${DOMAIN}`,
    corednsName: `web-h.${ns}.svc.${CLUSTER_DOMAIN}`,
    steadyIP: ipv4(steady),
    flippingIP: ipv4(flipping),
    ready: true,
    async setReady(ready: boolean) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      for (const c of pod.status.conditions ?? []) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') {
          c.status = ready ? 'True' : 'False';
          c.lastTransitionTime = now;
        }
      }
      for (const s of pod.status.containerStatuses ?? []) s.ready = ready;
      pod = await client.json<Pod>(`${podPath}/status`, { method: 'PUT', body: pod });
      fixture.ready = ready;
    },
    close: () => client.close(),
  };
  return fixture;
}

export function expectedAddresses(f: ReadinessFixture, ready: boolean): string {
  return (ready ? [f.steadyIP, f.flippingIP] : [f.steadyIP]).sort().join(' ');
}

/** Waits until a server's answer for `name` is exactly `want` (sorted, space-separated). */
export async function waitForAnswer(port: number, name: string, want: string, timeoutMs = 30_000): Promise<void> {
  const client = new DnsProbeClient(port);
  try {
    await waitFor(async () => (await client.query(name, TYPE_A, 500)).addresses.join(' ') === want, {
      what: `${name} on port ${port} to answer ${want}`,
      timeoutMs,
      intervalMs: 20,
    });
  } finally {
    client.close();
  }
}
