// The cluster objects the index holds, by kind and namespace/name, with the two relations a
// change travels along: EndpointSlices to their Service, routes to their Gateways. `put` says
// which objects' claims a change invalidates (the per-kind reactions).

import type {
  ClusterObject,
  ObjectKind,
  TrimmedEndpointSlice,
  TrimmedNode,
  TrimmedRoute,
  TrimmedService,
} from './cluster-objects.js';
import { CachedEndpointSet, selectEndpoints, type EndpointSet } from './endpoint-selection.js';
import type { EndpointCondition } from './endpoint-health.js';
import { drainReason } from './node-drain.js';
import { gatewayKeyOf, gatewayRefs } from './gateway-attachment.js';

export type KindOf<K extends ObjectKind> = Extract<ClusterObject, { kind: K }>;

function nsName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

// Health and drain state of one endpoint of a Service (namespace/name), for selection.
export type ConditionSource = (service: string, address: string, node: TrimmedNode | undefined, nodeName: string | undefined) => EndpointCondition | undefined;

export class ObjectStore {
  constructor(private readonly conditionOf: ConditionSource = () => undefined) {}

  private readonly objects = new Map<ObjectKind, Map<string, ClusterObject>>();
  private readonly slicesByService = new Map<string, Map<string, TrimmedEndpointSlice>>();
  private readonly endpointCache = new Map<string, EndpointSet>();
  private readonly routesByGateway = new Map<string, Set<string>>();

  get<K extends ObjectKind>(kind: K, namespace: string, name: string): KindOf<K> | undefined {
    return this.objects.get(kind)?.get(nsName(namespace, name)) as KindOf<K> | undefined;
  }

  // By the key objectKey() makes ("Kind/namespace/name").
  getByKey(key: string): ClusterObject | undefined {
    const [kind, namespace, name] = key.split('/') as [ObjectKind, string, string];
    return this.get(kind, namespace, name);
  }

  list<K extends ObjectKind>(kind: K): KindOf<K>[] {
    return [...(this.objects.get(kind)?.values() ?? [])] as KindOf<K>[];
  }

  kinds(): ObjectKind[] {
    return [...this.objects.keys()];
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, byName] of this.objects) out[kind] = byName.size;
    return out;
  }

  // Stores (or with `obj` undefined, removes) one object; returns the keys of the objects whose
  // claims must be derived again.
  put(kind: ObjectKind, namespace: string, name: string, obj: ClusterObject | undefined): string[] {
    let byName = this.objects.get(kind);
    if (!byName) this.objects.set(kind, (byName = new Map()));
    const id = nsName(namespace, name);
    const old = byName.get(id);
    if (obj) byName.set(id, obj);
    else byName.delete(id);
    const key = `${kind}/${id}`;

    switch (kind) {
      case 'Service':
        this.endpointCache.delete(id);
        return [key];
      case 'EndpointSlice':
        this.moveSlice(old as TrimmedEndpointSlice | undefined, obj as TrimmedEndpointSlice | undefined);
        return [];
      case 'Ingress':
        return [key];
      case 'Gateway':
        return [...(this.routesByGateway.get(key) ?? [])];
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'TLSRoute':
        this.linkRoute(key, old as TrimmedRoute | undefined, obj as TrimmedRoute | undefined);
        return [key];
      case 'Node':
        if (drainReason(old as TrimmedNode | undefined) !== drainReason(obj as TrimmedNode | undefined)) this.forgetEndpointsOn(name);
        return [];
    }
  }

  // Drops the cached endpoint set of a Service (namespace/name) whose health changed.
  forgetEndpointsOf(service: string): void {
    this.endpointCache.delete(service);
  }

  // Drops the cached endpoint sets of every Service with an endpoint on `node`.
  forgetEndpointsOn(node: string): void {
    for (const [service, slices] of this.slicesByService) {
      if (!this.endpointCache.has(service)) continue;
      for (const slice of slices.values()) {
        if (slice.endpoints.some((e) => e.nodeName === node)) {
          this.endpointCache.delete(service);
          break;
        }
      }
    }
  }

  // The endpoints a Service answers with, computed once per change of the Service or its slices.
  endpointsOf(namespace: string, name: string): EndpointSet | undefined {
    const service = this.get('Service', namespace, name) as TrimmedService | undefined;
    if (!service) return undefined;
    const id = nsName(namespace, name);
    let set = this.endpointCache.get(id);
    if (!set) {
      set = new CachedEndpointSet(() =>
        selectEndpoints(service, this.slicesByService.get(id)?.values() ?? [], (address, node) =>
          this.conditionOf(id, address, node ? this.get('Node', '', node) : undefined, node),
        ),
      );
      this.endpointCache.set(id, set);
    }
    return set;
  }

  private moveSlice(old: TrimmedEndpointSlice | undefined, next: TrimmedEndpointSlice | undefined): void {
    for (const slice of [old, next]) {
      if (slice) this.endpointCache.delete(nsName(slice.meta.namespace, slice.serviceName));
    }
    // A slice updated in place (same Service, the usual case) keeps its Service's map: dropping
    // and re-creating it for each of 24,000 slices was most of what a reload churned here.
    const inPlace = old && next && old.serviceName === next.serviceName && old.serviceName !== '';
    if (old && !inPlace) {
      const service = nsName(old.meta.namespace, old.serviceName);
      const slices = this.slicesByService.get(service);
      slices?.delete(old.meta.name);
      if (slices?.size === 0) this.slicesByService.delete(service);
    }
    if (next && next.serviceName) {
      const service = nsName(next.meta.namespace, next.serviceName);
      let slices = this.slicesByService.get(service);
      if (!slices) this.slicesByService.set(service, (slices = new Map()));
      slices.set(next.meta.name, next);
    }
  }

  private linkRoute(routeKey: string, old: TrimmedRoute | undefined, next: TrimmedRoute | undefined): void {
    for (const ref of old ? gatewayRefs(old) : []) this.routesByGateway.get(gatewayKeyOf(ref))?.delete(routeKey);
    for (const ref of next ? gatewayRefs(next) : []) {
      const gatewayKey = gatewayKeyOf(ref);
      let routes = this.routesByGateway.get(gatewayKey);
      if (!routes) this.routesByGateway.set(gatewayKey, (routes = new Set()));
      routes.add(routeKey);
    }
  }
}
