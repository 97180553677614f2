// Admin-side API calls the harness does not offer: the status an Ingress controller or a
// Gateway implementation would write (this cluster has none), and server-side dry runs.

import { clusterAccess, type KubeClient } from 'minilb-server';
import { currentCluster } from '../harness/index.js';

// A fresh client per call: the scenarios restart the API server, and a pooled connection to
// the old process would fail the next PATCH.
async function withAdmin<T>(call: (client: KubeClient) => Promise<T>): Promise<T> {
  const { KubeClient } = await clusterAccess();
  const client = await KubeClient.create(currentCluster().kc);
  try {
    return await call(client);
  } finally {
    await client.close();
  }
}

export async function patchStatus(path: string, status: unknown): Promise<void> {
  await withAdmin((c) => c.json(`${path}/status`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status } }));
}

export async function readObject<T = Record<string, unknown>>(path: string): Promise<T> {
  return withAdmin((c) => c.json<T>(path));
}

export const ingressPath = (ns: string, name: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`;
export const gatewayApiPath = (ns: string, plural: string, name: string, version = 'v1') =>
  `/apis/gateway.networking.k8s.io/${version}/namespaces/${ns}/${plural}/${name}`;
export const servicePath = (ns: string, name: string) => `/api/v1/namespaces/${ns}/services/${name}`;

const collections: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  ServiceAccount: '/api/v1/namespaces/{ns}/serviceaccounts',
  ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles',
  RoleBinding: '/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings',
  Deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
  DaemonSet: '/apis/apps/v1/namespaces/{ns}/daemonsets',
  Service: '/api/v1/namespaces/{ns}/services',
  ConfigMap: '/api/v1/namespaces/{ns}/configmaps',
  NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies',
  PodDisruptionBudget: '/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets',
  ServiceMonitor: '/apis/monitoring.coreos.com/v1/namespaces/{ns}/servicemonitors',
  CustomResourceDefinition: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
};

// Server-side apply with dryRun=All: the API server validates and admits it, stores nothing.
export async function dryRunApply(obj: { kind?: string; metadata?: { name?: string; namespace?: string } }): Promise<void> {
  await rawApply(obj, { dryRun: 'All' });
}

// Server-side apply of the object exactly as given. applyYaml goes through client-node's typed
// models, which drop keys they do not know (a CRD's x-kubernetes-int-or-string, for one).
export async function rawApply(obj: { kind?: string; metadata?: { name?: string; namespace?: string } }, query: Record<string, string> = {}): Promise<void> {
  const collection = collections[obj.kind ?? ''];
  if (!collection) throw new Error(`no apply path for kind ${obj.kind}`);
  const path = `${collection.replace('{ns}', obj.metadata?.namespace ?? 'default')}/${obj.metadata?.name}`;
  await withAdmin((c) =>
    c.json(path, { method: 'PATCH', query: { fieldManager: 'minilb-e2e', force: true, ...query }, contentType: 'application/apply-patch+yaml', body: obj }),
  );
}

// The API server's own Prometheus metrics (apiserver_request_total and the like).
export async function apiServerMetrics(): Promise<string> {
  return withAdmin(async (c) => {
    const res = await c.open('/metrics', { timeoutMs: 10_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET /metrics on the API server: HTTP ${res.statusCode}`);
    return text;
  });
}
