// Which hostnames a Gateway API route gets through each Gateway it attaches to: parentRefs
// (sectionName, port), allowed namespaces, Accepted=False parents, and the route/listener
// hostname intersection the Gateway API spec defines.

import type { GatewayListener, ParentRef, TrimmedGateway, TrimmedRoute } from './cluster-objects.js';
import { normalizeName } from './hostnames.js';

const gatewayGroup = 'gateway.networking.k8s.io';

function matchesWildcard(name: string, wildcard: string): boolean {
  // Gateway API wildcards match any number of labels in front of the suffix.
  return name.endsWith(wildcard.slice(1)) && name.length > wildcard.length - 1;
}

// The Gateway API hostname intersection: the more specific of the two when one matches the other.
export function intersectHostnames(route: string, listener: string): string | undefined {
  if (route === listener) return route;
  if (listener.startsWith('*.') && matchesWildcard(route, listener)) return route;
  if (route.startsWith('*.') && matchesWildcard(listener, route)) return listener;
  return undefined;
}

function sameRef(a: ParentRef, b: ParentRef): boolean {
  return (
    a.group === b.group &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.sectionName === b.sectionName &&
    a.port === b.port
  );
}

const listenerProtocols: Record<TrimmedRoute['kind'], ReadonlySet<string>> = {
  HTTPRoute: new Set(['HTTP', 'HTTPS']),
  GRPCRoute: new Set(['HTTP', 'HTTPS']),
  TLSRoute: new Set(['TLS']),
};

function listenersFor(route: TrimmedRoute, ref: ParentRef, gateway: TrimmedGateway): GatewayListener[] {
  return gateway.listeners.filter(
    (l) =>
      (ref.sectionName === undefined || l.name === ref.sectionName) &&
      (ref.port === undefined || l.port === ref.port) &&
      listenerProtocols[route.kind].has(l.protocol.toUpperCase()) &&
      // A Selector needs Namespace labels, which minilb does not watch: it is taken as allowed.
      (l.allowedNamespaces !== 'Same' || route.meta.namespace === gateway.meta.namespace),
  );
}

export function gatewayRefs(route: TrimmedRoute): ParentRef[] {
  return route.parentRefs.filter((r) => r.group === gatewayGroup && r.kind === 'Gateway');
}

export function gatewayKeyOf(ref: ParentRef): string {
  return `Gateway/${ref.namespace}/${ref.name}`;
}

// The hostnames (as written, possibly "*."-prefixed, normalised) a route gets through one Gateway.
export function attachedHostnames(route: TrimmedRoute, gateway: TrimmedGateway): string[] {
  const out = new Set<string>();
  const routeNames = route.hostnames.map(normalizeName);
  for (const ref of gatewayRefs(route)) {
    if (ref.namespace !== gateway.meta.namespace || ref.name !== gateway.meta.name) continue;
    if (route.rejectedBy.some((r) => sameRef(r, ref))) continue;
    for (const listener of listenersFor(route, ref, gateway)) {
      const listenerName = listener.hostname ? normalizeName(listener.hostname) : undefined;
      if (routeNames.length === 0) {
        if (listenerName) out.add(listenerName);
        continue;
      }
      for (const name of routeNames) {
        const hit = listenerName ? intersectHostnames(name, listenerName) : name;
        if (hit) out.add(hit);
      }
    }
  }
  return [...out].sort();
}
