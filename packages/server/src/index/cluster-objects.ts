// The trimmed Kubernetes objects the record index works on: only the fields it reads,
// so a cluster of 10,000 Services costs little memory. Sources convert to these.

export interface ObjectMeta {
  namespace: string; // '' for cluster-scoped objects (Node)
  name: string;
  creationTimestamp: string; // RFC 3339; '' when unknown (such a claim loses to one of known age)
  annotations: Record<string, string>;
  labels: Record<string, string>;
  // What trimming left out because it could never be served (an endpoint address that is not
  // an IP, say); absent when nothing was. The index reports these as problems of the object.
  dropped?: DroppedField[];
}

export interface DroppedField {
  reason: 'invalid-address';
  field: string; // e.g. "endpoints[2].addresses"
  message: string;
}

export interface ServicePort {
  name: string;
  protocol: string;
  port: number;
  targetPort: number | string | undefined;
}

export interface TrimmedService {
  kind: 'Service';
  meta: ObjectMeta;
  type: string;
  loadBalancerClass: string | undefined;
  publishNotReadyAddresses: boolean;
  ports: ServicePort[];
  uid: string; // for Events about the Service
  statusIngress: StatusTarget[]; // status.loadBalancer.ingress, for the controller
}

// One address of an EndpointSlice endpoint: an endpoint with several addresses becomes one
// entry per address, each with the endpoint's conditions (a one-element array per endpoint cost
// 56 bytes each, 5.6 MiB at 100,000 endpoints).
export interface SliceEndpoint {
  address: string;
  ready: boolean; // conditions.ready; nil means ready
  serving: boolean; // conditions.serving; nil means same as ready
  terminating: boolean;
  nodeName: string | undefined;
  targetPod: string | undefined; // targetRef name when it is a Pod
}

export interface SlicePort {
  name: string;
  protocol: string;
  port: number;
}

export interface TrimmedEndpointSlice {
  kind: 'EndpointSlice';
  meta: ObjectMeta;
  serviceName: string; // label kubernetes.io/service-name; '' when absent
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface NodeAddress {
  type: string; // InternalIP, ExternalIP, Hostname
  address: string;
}

// A taint that says the node is going away or cannot be reached (see node-drain.ts).
export interface NodeTaint {
  key: string;
  effect: string;
}

export interface TrimmedNode {
  kind: 'Node';
  meta: ObjectMeta;
  podCIDRs: string[];
  addresses: NodeAddress[];
  unschedulable: boolean; // spec.unschedulable: cordoned (kubectl cordon/drain, kured)
  drainTaints: NodeTaint[]; // only the node.kubernetes.io/ taints node-drain.ts reads
  // When the Ready condition last turned True ('' when it is not True or unknown), so a node
  // suspected by the health checks is cleared once the API server confirms it Ready again.
  readySince: string;
}

// A status.loadBalancer.ingress[] entry (Ingress) or status.addresses[] entry (Gateway).
export type StatusTarget = { ip: string } | { hostname: string };

export interface TrimmedIngress {
  kind: 'Ingress';
  meta: ObjectMeta;
  hosts: string[]; // spec.rules[].host, as written
  targets: StatusTarget[];
}

export interface GatewayListener {
  name: string;
  hostname: string | undefined;
  port: number;
  protocol: string;
  allowedNamespaces: 'Same' | 'All' | 'Selector';
}

export interface TrimmedGateway {
  kind: 'Gateway';
  meta: ObjectMeta;
  listeners: GatewayListener[];
  targets: StatusTarget[];
}

export interface ParentRef {
  group: string; // gateway.networking.k8s.io by default
  kind: string; // Gateway by default
  namespace: string; // the route's namespace by default
  name: string;
  sectionName: string | undefined;
  port: number | undefined;
}

export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute';

export interface TrimmedRoute {
  kind: RouteKind;
  meta: ObjectMeta;
  hostnames: string[];
  parentRefs: ParentRef[];
  // Parents that report this route Accepted=False (status.parents[].conditions).
  rejectedBy: ParentRef[];
}

export type ClusterObject =
  | TrimmedService
  | TrimmedEndpointSlice
  | TrimmedNode
  | TrimmedIngress
  | TrimmedGateway
  | TrimmedRoute;

export type ObjectKind = ClusterObject['kind'];

// Names one object, e.g. in explain output and problem reports.
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export function objectKey(obj: { kind: string; meta: { namespace: string; name: string } }): string {
  return `${obj.kind}/${obj.meta.namespace}/${obj.meta.name}`;
}
