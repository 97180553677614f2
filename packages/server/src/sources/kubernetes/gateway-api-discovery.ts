// Which Gateway API kinds the cluster serves, and at which version: a missing CRD is normal,
// and TLSRoute moved v1alpha2 -> v1alpha3 -> v1 (the newest served version wins).

import type { ObjectKind } from '../../index/cluster-objects.js';
import { KubeApiError, type KubeClient } from './kube-client.js';

const gatewayGroup = 'gateway.networking.k8s.io';

export const gatewayResources: { kind: ObjectKind; plural: string; versions: string[] }[] = [
  { kind: 'Gateway', plural: 'gateways', versions: ['v1', 'v1beta1'] },
  { kind: 'HTTPRoute', plural: 'httproutes', versions: ['v1', 'v1beta1'] },
  { kind: 'GRPCRoute', plural: 'grpcroutes', versions: ['v1', 'v1alpha2'] },
  { kind: 'TLSRoute', plural: 'tlsroutes', versions: ['v1', 'v1alpha3', 'v1alpha2'] },
];

async function servedPlurals(client: KubeClient, version: string): Promise<Set<string>> {
  try {
    const list = await client.json<{ resources?: { name: string }[] }>(`/apis/${gatewayGroup}/${version}`);
    return new Set((list.resources ?? []).map((r) => r.name));
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 404 || err.status === 503)) return new Set();
    throw err;
  }
}

// The collection path per served kind, e.g. TLSRoute -> /apis/gateway.networking.k8s.io/v1alpha3/tlsroutes.
export async function discoverGatewayApiPaths(client: KubeClient): Promise<Map<ObjectKind, string>> {
  const served = new Map<string, Set<string>>();
  for (const version of new Set(gatewayResources.flatMap((r) => r.versions))) served.set(version, await servedPlurals(client, version));
  const paths = new Map<ObjectKind, string>();
  for (const { kind, plural, versions } of gatewayResources) {
    const version = versions.find((v) => served.get(v)?.has(plural));
    if (version) paths.set(kind, `/apis/${gatewayGroup}/${version}/${plural}`);
  }
  return paths;
}
