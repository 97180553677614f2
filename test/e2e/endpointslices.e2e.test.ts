// Smoke scenario 3: a LoadBalancer Service with a selector and a ready Pod gets EndpointSlices
// (IPv4 and IPv6) from the real EndpointSlice controller; readiness changes and a graceful
// deletion show up in the slices the way minilb will see them.
import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  deletePod,
  finishPodDeletion,
  setPodReady,
  startCluster,
  waitForEndpointSlices,
  type Cluster,
} from './harness/index.js';

/** The endpoint for `address` across the slices, if any. */
function endpointFor(slices: V1EndpointSlice[], address: string): V1Endpoint | undefined {
  return slices.flatMap((s) => s.endpoints ?? []).find((e) => e.addresses.includes(address));
}

describe('EndpointSlices from the real controller', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('lists a ready pod, follows its readiness, and keeps it as terminating until deletion finishes', async () => {
    await createNamespace('shop');
    const node = await createNode('node1', ['192.0.2.31', '2001:db8:1::31']);
    const service = await createLoadBalancerService('shop', 'web', {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    expect(service.spec?.loadBalancerClass).toBe('minilb');
    expect(service.spec?.ipFamilies).toEqual(['IPv4', 'IPv6']);

    const pod = await createReadyPod('shop', 'web-1', 'node1', { app: 'web' });
    // A pod of another app on the same node never shows up in web's slices.
    await createReadyPod('shop', 'db-1', 'node1', { app: 'db' });
    const [ipv4, ipv6] = (pod.status?.podIPs ?? []).map((p) => p.ip);
    expect(ipv4?.startsWith(node.spec?.podCIDRs?.[0]?.replace(/0\/24$/, '') ?? '?')).toBe(true);
    expect(ipv6).toContain(':');

    const ready = await waitForEndpointSlices(
      'shop',
      'web',
      (s) => endpointFor(s, ipv4!)?.conditions?.ready === true && endpointFor(s, ipv6!)?.conditions?.ready === true,
      'web-1 ready in the IPv4 and IPv6 slices',
    );
    expect(ready.map((s) => s.addressType).sort()).toEqual(['IPv4', 'IPv6']);
    expect(ready.flatMap((s) => s.endpoints ?? []).length).toBe(2);
    const v4 = endpointFor(ready, ipv4!);
    expect(v4?.nodeName).toBe('node1');
    expect(v4?.targetRef?.name).toBe('web-1');
    expect(ready[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    await setPodReady('shop', 'web-1', false);
    const notReady = await waitForEndpointSlices('shop', 'web', (s) => endpointFor(s, ipv4!)?.conditions?.ready === false, 'web-1 not ready');
    expect(endpointFor(notReady, ipv4!)?.conditions).toMatchObject({ ready: false, serving: false, terminating: false });

    await setPodReady('shop', 'web-1', true);
    await waitForEndpointSlices('shop', 'web', (s) => endpointFor(s, ipv4!)?.conditions?.ready === true, 'web-1 ready again');

    // Without a kubelet to confirm, a graceful deletion leaves the pod Terminating.
    const terminating = await deletePod('shop', 'web-1');
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    const draining = await waitForEndpointSlices(
      'shop',
      'web',
      (s) => endpointFor(s, ipv4!)?.conditions?.terminating === true,
      'web-1 terminating',
    );
    expect(endpointFor(draining, ipv4!)?.conditions).toMatchObject({ ready: false, serving: true, terminating: true });
    expect(endpointFor(draining, ipv6!)?.conditions).toMatchObject({ ready: false, serving: true, terminating: true });

    await finishPodDeletion('shop', 'web-1');
    await waitForEndpointSlices('shop', 'web', (s) => !endpointFor(s, ipv4!) && !endpointFor(s, ipv6!), 'web-1 gone');
  });
});
