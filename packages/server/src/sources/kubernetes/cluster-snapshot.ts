// One read of everything the index needs, for one-shot commands (the CLI's inspect, routes
// and doctor) that need no watch.

import type { ClusterObject } from '../../index/cluster-objects.js';
import { trimObject } from '../trim-object.js';
import { discoverGatewayApiPaths } from './gateway-api-discovery.js';
import type { KubeClient } from './kube-client.js';
import { coreResources } from './kubernetes-source.js';
import { listAllPages } from './list-pages.js';

export async function readClusterSnapshot(client: KubeClient, only?: ReadonlySet<string>): Promise<{ objects: ClusterObject[]; skipped: string[] }> {
  const resources = [...coreResources.map((r) => [r.kind, r.path] as const)];
  if (!only || ['Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute'].some((k) => only.has(k))) {
    resources.push(...(await discoverGatewayApiPaths(client)));
  }
  const objects: ClusterObject[] = [];
  const skipped: string[] = [];
  for (const [kind, path] of resources) {
    if (only && !only.has(kind)) continue;
    const { items } = await listAllPages(client, path, kind);
    for (const item of items) {
      try {
        const obj = trimObject(item);
        if (obj) objects.push(obj);
      } catch (err) {
        skipped.push((err as Error).message);
      }
    }
  }
  return { objects, skipped };
}
