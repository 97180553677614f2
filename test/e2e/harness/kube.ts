// Fixture helpers that act on the running cluster. With no kubelet, they play its part: they
// register Nodes, bind Pods to them and write Pod status (IPs, readiness) the way a kubelet
// would, so the real controllers (node IPAM, EndpointSlice) do the rest.
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1CustomResourceDefinition,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
  type V1PodCondition,
  type V1Service,
  type V1ServicePort,
} from '@kubernetes/client-node';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { currentCluster, writeKubeconfig } from './cluster.js';
import { repoRoot } from './paths.js';
import { sleep, waitFor } from './wait.js';

const FIELD_MANAGER = 'minilb-e2e';
/** Pods need an image name; nothing ever pulls it. */
const PLACEHOLDER_IMAGE = 'minilb-e2e/placeholder:v1';

function core(): CoreV1Api {
  return currentCluster().kc.makeApiClient(CoreV1Api);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

function isConflict(e: unknown): boolean {
  return e instanceof ApiException && e.code === 409;
}

/** Creates a namespace (if missing) and waits for its default ServiceAccount, which Pods need. */
export async function createNamespace(name: string): Promise<void> {
  const api = core();
  try {
    await api.createNamespace({ body: { metadata: { name } } });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  await waitFor(() => api.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true), {
    what:
      `ServiceAccount ${name}/default from kube-controller-manager (after an API server outage its watches ` +
      'back off for up to a minute: call cluster.restartControllerManager() to catch up at once)',
    timeoutMs: 30_000,
  });
}

/**
 * Registers a Node as its kubelet would (InternalIP addresses, Ready) and waits until the node
 * IPAM controller has given it one podCIDR per address family of the cluster CIDR.
 * Use documentation addresses: 192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32.
 */
export async function createNode(name: string, internalIPs: string[]): Promise<V1Node> {
  const api = core();
  const now = new Date();
  const node: V1Node = {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      addresses: [...internalIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: name }],
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'minilb e2e fixture', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  };
  await api.createNode({ body: node });
  // A kubelet writes status through the status subresource; do the same in case create dropped it.
  await api.patchNodeStatus({ name, body: { status: node.status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  // The API server taints a new node node.kubernetes.io/not-ready:NoSchedule; the node lifecycle
  // controller lifts it once the node reports Ready. That controller does not run here (nodes
  // without a kubelet would go NotReady), so do what it would.
  const created = await api.readNode({ name });
  const taints = (created.spec?.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/not-ready');
  await api.patchNode({ name, body: { spec: { taints: taints.length > 0 ? taints : null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  return waitFor(
    async () => {
      const n = await api.readNode({ name });
      return (n.spec?.podCIDRs?.length ?? 0) >= 2 ? n : undefined;
    },
    { what: `podCIDRs (IPv4 and IPv6) on Node ${name} from the node IPAM controller`, timeoutMs: 30_000 },
  );
}

export interface LoadBalancerServiceOptions {
  /** spec.loadBalancerClass; default `minilb`. Pass null for a Service without a class. */
  class?: string | null;
  ports?: V1ServicePort[];
  selector?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default PreferDualStack, so both A and AAAA have endpoints. */
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  publishNotReadyAddresses?: boolean;
}

export async function createLoadBalancerService(
  namespace: string,
  name: string,
  opts: LoadBalancerServiceOptions = {},
): Promise<V1Service> {
  const cls = opts.class === undefined ? 'minilb' : opts.class;
  return core().createNamespacedService({
    namespace,
    body: {
      metadata: { name, namespace, annotations: opts.annotations },
      spec: {
        type: 'LoadBalancer',
        ...(cls === null ? {} : { loadBalancerClass: cls }),
        ipFamilyPolicy: opts.ipFamilyPolicy ?? 'PreferDualStack',
        selector: opts.selector,
        publishNotReadyAddresses: opts.publishNotReadyAddresses,
        ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      },
    },
  });
}

/** Per node, how many pod IPs the fixture has handed out. */
const podIPCounters = new Map<string, number>();

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function expandIPv6(ip: string): number[] {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => parseInt(g, 16));
}

/** The `offset`-th address of a CIDR (IPv4 any prefix, IPv6 prefix /64 or longer up to /112). */
export function addressInCidr(cidr: string, offset: number): string {
  const [base = '', bits] = cidr.split('/');
  if (isIPv4(base)) {
    const size = 2 ** (32 - Number(bits));
    if (offset <= 0 || offset >= size - 1) throw new Error(`offset ${offset} outside ${cidr}`);
    return intToIPv4(ipv4ToInt(base) + offset);
  }
  if (isIPv6(base)) {
    const groups = expandIPv6(base);
    if (Number(bits) > 112) throw new Error(`IPv6 prefix ${cidr} too long for the fixture`);
    groups[7] = (groups[7] ?? 0) + offset;
    return groups.map((g) => g.toString(16)).join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  throw new Error(`not a CIDR: ${cidr}`);
}

/** The next free pod IPs on a node: one per podCIDR (so one IPv4 and one IPv6). */
export async function nextPodIPs(nodeName: string): Promise<string[]> {
  const node = await core().readNode({ name: nodeName });
  const cidrs = node.spec?.podCIDRs ?? [];
  if (cidrs.length === 0) throw new Error(`Node ${nodeName} has no podCIDRs yet; create it with createNode()`);
  const n = (podIPCounters.get(nodeName) ?? 9) + 1;
  podIPCounters.set(nodeName, n);
  return cidrs.map((c) => addressInCidr(c, n));
}

function nodeHostIPs(node: V1Node): string[] {
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  const v4 = internal.find((a) => isIPv4(a));
  const v6 = internal.find((a) => isIPv6(a));
  return [v4, v6].filter((a): a is string => a !== undefined);
}

function readinessConditions(ready: boolean, previous: V1PodCondition[] | undefined): V1PodCondition[] {
  const now = new Date();
  const want: Record<string, string> = {
    PodReadyToStartContainers: 'True',
    Initialized: 'True',
    Ready: ready ? 'True' : 'False',
    ContainersReady: ready ? 'True' : 'False',
    PodScheduled: 'True',
  };
  return Object.entries(want).map(([type, status]) => {
    const old = previous?.find((c) => c.type === type);
    const changed = old?.status !== status;
    return {
      type,
      status,
      lastTransitionTime: changed || !old?.lastTransitionTime ? now : old.lastTransitionTime,
      ...(status === 'False' ? { reason: 'ContainersNotReady', message: 'containers with unready status: [app]' } : {}),
    };
  });
}

/** Writes pod status as a kubelet does (PUT on pods/status), retrying on conflicts. */
async function updatePodStatus(namespace: string, name: string, mutate: (pod: V1Pod) => void): Promise<V1Pod> {
  const api = core();
  for (let attempt = 0; ; attempt++) {
    const pod = await api.readNamespacedPod({ name, namespace });
    mutate(pod);
    try {
      return await api.replaceNamespacedPodStatus({ name, namespace, body: pod, fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (!isConflict(e) || attempt > 5) throw e;
    }
  }
}

export interface ReadyPodOptions {
  /** Container ports, for Services whose targetPort is a name. */
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  /** Write the Ready condition as True (default) or False. */
  ready?: boolean;
}

/**
 * Creates a Pod bound to `node` (spec.nodeName, no scheduler involved) and writes its status as
 * the node's kubelet would: Running, the pod IPs, and the Ready condition. `ips` default to the
 * next free address of each of the node's podCIDRs.
 */
export async function createReadyPod(
  namespace: string,
  name: string,
  node: string,
  labels: Record<string, string>,
  ips?: string[],
  opts: ReadyPodOptions = {},
): Promise<V1Pod> {
  const api = core();
  const podIPs = ips ?? (await nextPodIPs(node));
  const nodeObj = await api.readNode({ name: node });
  const hostIPs = nodeHostIPs(nodeObj);
  await api.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, namespace, labels },
      spec: {
        nodeName: node,
        containers: [{ name: 'app', image: PLACEHOLDER_IMAGE, ports: opts.ports }],
        terminationGracePeriodSeconds: 30,
      },
    },
  });
  const ready = opts.ready ?? true;
  const startedAt = new Date();
  return updatePodStatus(namespace, name, (pod) => {
    pod.status = {
      ...pod.status,
      phase: 'Running',
      hostIP: hostIPs[0],
      hostIPs: hostIPs.map((ip) => ({ ip })),
      podIP: podIPs[0],
      podIPs: podIPs.map((ip) => ({ ip })),
      startTime: startedAt,
      conditions: readinessConditions(ready, pod.status?.conditions),
      containerStatuses: [
        {
          name: 'app',
          image: PLACEHOLDER_IMAGE,
          imageID: '',
          containerID: `containerd://${name}`,
          ready,
          started: true,
          restartCount: 0,
          state: { running: { startedAt } },
        },
      ],
    };
  });
}

/** Flips the Pod's Ready condition, as a kubelet does when a readiness probe changes. */
export async function setPodReady(namespace: string, name: string, ready: boolean): Promise<V1Pod> {
  return updatePodStatus(namespace, name, (pod) => {
    const status = pod.status ?? {};
    status.conditions = readinessConditions(ready, status.conditions);
    for (const c of status.containerStatuses ?? []) c.ready = ready;
    pod.status = status;
  });
}

/**
 * Deletes a Pod gracefully. Bound to a node, it stays Terminating (deletionTimestamp set) until
 * its kubelet confirms; here that is `finishPodDeletion`. Meanwhile its endpoints are
 * terminating, as in a real rollout.
 */
export async function deletePod(namespace: string, name: string): Promise<V1Pod> {
  const api = core();
  await api.deleteNamespacedPod({ name, namespace });
  return api.readNamespacedPod({ name, namespace });
}

/** What a kubelet does once the containers have stopped: delete with grace 0. */
export async function finishPodDeletion(namespace: string, name: string): Promise<void> {
  const api = core();
  try {
    await api.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await waitFor(
    () =>
      api.readNamespacedPod({ name, namespace }).then(
        () => false,
        (e: unknown) => {
          if (isNotFound(e)) return true;
          throw e;
        },
      ),
    { what: `Pod ${namespace}/${name} to be gone` },
  );
}

/** The EndpointSlices the EndpointSlice controller keeps for a Service. */
export async function endpointSlicesFor(namespace: string, service: string): Promise<V1EndpointSlice[]> {
  const list = await currentCluster()
    .kc.makeApiClient(DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  return list.items;
}

/** Waits until the Service's slices satisfy `check` and returns them. */
export function waitForEndpointSlices(
  namespace: string,
  service: string,
  check: (slices: V1EndpointSlice[]) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<V1EndpointSlice[]> {
  return waitFor(
    async () => {
      const slices = await endpointSlicesFor(namespace, service);
      return check(slices) ? slices : undefined;
    },
    { what: `EndpointSlices of ${namespace}/${service}: ${what}`, timeoutMs },
  );
}

/** Parses multi-document YAML (a file path or the text itself) into objects. */
export function parseYaml(fileOrText: string): KubernetesObject[] {
  const looksLikePath = !fileOrText.includes('\n') && /\.(ya?ml|json)$/.test(fileOrText.trim());
  if (looksLikePath && !existsSync(fileOrText)) throw new Error(`no such YAML file: ${fileOrText}`);
  const text = looksLikePath ? readFileSync(fileOrText, 'utf8') : fileOrText;
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubernetesObject | null;
    })
    .filter((o): o is KubernetesObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none. */
  namespace?: string;
}

/**
 * Server-side applies every object of a YAML file or text, in order. Missing namespaces are
 * created. An object whose kind a just-created CRD has not made servable yet is retried.
 * Status in the YAML is not applied (it is a subresource).
 */
export async function applyYaml(fileOrText: string | KubernetesObject[], opts: ApplyOptions = {}): Promise<KubernetesObject[]> {
  const cluster = currentCluster();
  const objects = typeof fileOrText === 'string' ? parseYaml(fileOrText) : fileOrText;
  const applied: KubernetesObject[] = [];
  const namespaces = new Set<string>();
  for (const obj of objects) {
    const body: KubernetesObject = { ...obj, metadata: { ...obj.metadata } };
    delete (body as { status?: unknown }).status;
    const what = `${body.kind} ${body.metadata?.namespace ? `${body.metadata.namespace}/` : ''}${body.metadata?.name}`;
    const deadline = Date.now() + 20_000;
    let result: KubernetesObject | undefined;
    while (!result) {
      try {
        // A fresh client each try: KubernetesObjectApi caches API discovery per group version.
        const api = cluster.kc.makeApiClient(ObjectApi);
        const namespaced = await api.isNamespaced(body);
        if (namespaced && body.metadata) {
          body.metadata.namespace ??= opts.namespace ?? 'default';
          const ns = body.metadata.namespace;
          if (!namespaces.has(ns)) {
            await createNamespace(ns);
            namespaces.add(ns);
          }
        }
        result = await api.patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (e) {
        // Only "not served yet" is worth waiting for (a CRD applied just before); a rejected
        // object fails at once with the API server's message.
        const notServedYet = (e instanceof ApiException && e.code === 404) || (e instanceof NotServedError);
        if (!notServedYet || Date.now() > deadline) {
          const detail = e instanceof ApiException ? `HTTP ${e.code}: ${apiMessage(e)}` : (e as Error).message;
          throw new Error(`applying ${what} failed: ${detail}`);
        }
        await sleep(250);
      }
    }
    applied.push(result);
  }
  return applied;
}

class NotServedError extends Error {}

/** The `message` of a Kubernetes Status body, or the raw body. */
function apiMessage(e: ApiException<unknown>): string {
  try {
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string });
    return body?.message ?? String(e.body);
  } catch {
    return String(e.body);
  }
}

/** KubernetesObjectApi plus the one discovery answer applyYaml needs. */
class ObjectApi extends KubernetesObjectApi {
  async isNamespaced(obj: KubernetesObject): Promise<boolean> {
    if (!obj.apiVersion || !obj.kind) throw new Error(`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`);
    const resource = await this.resource(obj.apiVersion, obj.kind);
    if (!resource) throw new NotServedError(`the API server does not serve ${obj.kind} in ${obj.apiVersion}`);
    return resource.namespaced;
  }
}

export type GatewayApiChannel = 'standard' | 'experimental';

/**
 * Installs the pinned Gateway API CRDs of a channel (only the CRDs: the channel's
 * ValidatingAdmissionPolicy would block a later standard -> experimental upgrade) and waits
 * until they are Established. Returns the CRD names.
 */
export async function installGatewayApiCrds(channel: GatewayApiChannel): Promise<string[]> {
  const cluster = currentCluster();
  const dir = cluster.peers.gatewayApiCrds[channel];
  const crds = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseYaml(readFileSync(join(dir, f), 'utf8')))
    .filter((o) => o.kind === 'CustomResourceDefinition');
  await applyYaml(crds);
  const names = crds.map((c) => c.metadata?.name).filter((n): n is string => typeof n === 'string');
  await waitForCrdsEstablished(names);
  return names;
}

export async function waitForCrdsEstablished(names: string[], timeoutMs = 30_000): Promise<V1CustomResourceDefinition[]> {
  const api = currentCluster().kc.makeApiClient(ApiextensionsV1Api);
  return Promise.all(
    names.map((name) =>
      waitFor(
        async () => {
          const crd = await api.readCustomResourceDefinition({ name });
          return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? crd : undefined;
        },
        { what: `CRD ${name} Established`, timeoutMs },
      ),
    ),
  );
}

/**
 * A kubeconfig that authenticates as a ServiceAccount (created if missing) with a token from
 * the TokenRequest API; what the account may do is up to the RBAC bound to it.
 */
export async function kubeconfigForServiceAccount(namespace: string, serviceAccount: string, expirationSeconds = 3600): Promise<string> {
  const cluster = currentCluster();
  const api = core();
  try {
    await api.createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount, namespace } } });
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  const tr = await api.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`TokenRequest for ServiceAccount ${namespace}/${serviceAccount} returned no token`);
  const path = join(cluster.dataDir, `sa-${namespace}-${serviceAccount}.kubeconfig`);
  writeKubeconfig(path, cluster.server, cluster.pki.ca.cert, { name: `${namespace}-${serviceAccount}`, token });
  return path;
}

const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

export interface ServiceAccountIdentity {
  namespace: string;
  serviceAccount: string;
  kubeconfigPath: string;
}

/**
 * Applies the namespace and RBAC of examples/deploy/*.yaml (not the workloads) and returns a
 * kubeconfig for its ServiceAccount: minilb with exactly the rights a real install gives it.
 */
export async function minilbServiceAccountKubeconfig(deployDir = join(repoRoot, 'examples/deploy')): Promise<ServiceAccountIdentity> {
  const objects = readdirSync(deployDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => parseYaml(readFileSync(join(deployDir, f), 'utf8')))
    .filter((o) => RBAC_KINDS.has(o.kind ?? ''));
  const sa = objects.find((o) => o.kind === 'ServiceAccount');
  if (!sa?.metadata?.name || !sa.metadata.namespace) throw new Error(`no namespaced ServiceAccount in ${deployDir}/*.yaml`);
  await applyYaml(objects);
  const kubeconfigPath = await kubeconfigForServiceAccount(sa.metadata.namespace, sa.metadata.name);
  return { namespace: sa.metadata.namespace, serviceAccount: sa.metadata.name, kubeconfigPath };
}
