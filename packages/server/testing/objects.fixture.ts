// Builders for raw Kubernetes objects in tests, converted the way the sources convert them.

import type { ClusterObject } from '../src/index/cluster-objects.js';
import { trimObject } from '../src/sources/trim-object.js';

type Raw = Record<string, unknown>;

function trimmed<T extends ClusterObject>(raw: Raw): T {
  return trimObject(raw) as T;
}

export function service(ns: string, name: string, opts: { class?: string; type?: string; annotations?: Record<string, string>; created?: string; publishNotReady?: boolean; ports?: Raw[] } = {}) {
  return trimmed<Extract<ClusterObject, { kind: 'Service' }>>({
    kind: 'Service',
    metadata: { namespace: ns, name, annotations: opts.annotations, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: {
      type: opts.type ?? 'LoadBalancer',
      loadBalancerClass: opts.class ?? 'minilb',
      publishNotReadyAddresses: opts.publishNotReady,
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
    },
  });
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
  pod?: string;
}

export function slice(ns: string, name: string, serviceName: string, family: 'IPv4' | 'IPv6', endpoints: EndpointSpec[], ports: Raw[] = [{ name: 'http', port: 80, protocol: 'TCP' }]) {
  return trimmed<Extract<ClusterObject, { kind: 'EndpointSlice' }>>({
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: family,
    ports,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
      nodeName: e.node,
      targetRef: e.pod ? { kind: 'Pod', name: e.pod, namespace: ns } : undefined,
    })),
  });
}

export function ingress(ns: string, name: string, hosts: string[], targets: Raw[], opts: { created?: string; annotations?: Record<string, string> } = {}) {
  return trimmed<Extract<ClusterObject, { kind: 'Ingress' }>>({
    kind: 'Ingress',
    metadata: { namespace: ns, name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', annotations: opts.annotations },
    spec: { rules: hosts.map((host) => ({ host })) },
    status: { loadBalancer: { ingress: targets } },
  });
}

export function gateway(ns: string, name: string, listeners: Raw[], addresses: Raw[]) {
  return trimmed<Extract<ClusterObject, { kind: 'Gateway' }>>({
    kind: 'Gateway',
    metadata: { namespace: ns, name, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { listeners },
    status: { addresses },
  });
}

export function route(kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute', ns: string, name: string, hostnames: string[], parentRefs: Raw[], opts: { created?: string; parents?: Raw[]; annotations?: Record<string, string> } = {}) {
  return trimmed<Extract<ClusterObject, { kind: 'HTTPRoute' }>>({
    kind,
    metadata: { namespace: ns, name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z', annotations: opts.annotations },
    spec: { hostnames, parentRefs },
    status: { parents: opts.parents ?? [] },
  });
}

export function node(name: string, opts: { unschedulable?: boolean; taints?: Raw[]; podCIDRs?: string[]; ready?: boolean } = {}) {
  return trimmed<Extract<ClusterObject, { kind: 'Node' }>>({
    kind: 'Node',
    metadata: { name },
    spec: { podCIDRs: opts.podCIDRs ?? [], unschedulable: opts.unschedulable, taints: opts.taints },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  });
}
