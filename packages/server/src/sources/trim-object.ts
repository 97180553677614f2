// Converts a raw Kubernetes object (from YAML or the API server) into the trimmed form the
// index reads. Unknown kinds give undefined; a malformed known kind throws with the reason.

import { isIP } from 'node:net';
import type {
  ClusterObject,
  DroppedField,
  GatewayListener,
  ObjectMeta,
  ParentRef,
  RouteKind,
  SliceEndpoint,
  StatusTarget,
} from '../index/cluster-objects.js';
import { isDrainTaint } from '../index/node-drain.js';

type Raw = Record<string, unknown>;

const routeKinds: ReadonlySet<string> = new Set<RouteKind>(['HTTPRoute', 'GRPCRoute', 'TLSRoute']);
const clusterScoped: ReadonlySet<string> = new Set(['Node']);

export class ObjectShapeError extends Error {}

function record(value: unknown): Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

// An exact-size array of the strings in `value`. filter() leaves room for 16 more elements, and
// endpoints hold one address each: at 100,000 endpoints that slack was 13 MiB of heap.
function strings(value: unknown): string[] {
  const all = list(value);
  return all.every((v) => typeof v === 'string') ? (all.slice() as string[]) : all.filter((v): v is string => typeof v === 'string').slice();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

function timestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return text(value) ?? '';
}

function trimMeta(raw: Raw, kind: string): ObjectMeta {
  const md = record(raw.metadata);
  const name = text(md.name);
  if (!name) throw new ObjectShapeError(`${kind} has no metadata.name`);
  return {
    namespace: clusterScoped.has(kind) ? '' : (text(md.namespace) ?? 'default'),
    name,
    creationTimestamp: timestamp(md.creationTimestamp),
    annotations: stringMap(md.annotations),
    labels: stringMap(md.labels),
  };
}

// Addresses that can never be answered are dropped here, once, and noted in meta.dropped, so
// no part of minilb (A/AAAA, SRV targets, explain) ever sees them.
function dropAddress(dropped: DroppedField[], field: string, address: string, family: string): void {
  dropped.push({ reason: 'invalid-address', field, message: `"${address}" is not ${family}; dropped` });
}

function statusTargets(entries: unknown[], field: string, dropped: DroppedField[]): StatusTarget[] {
  const out: StatusTarget[] = [];
  entries.forEach((entry, i) => {
    const e = record(entry);
    const ip = text(e.ip);
    const hostname = text(e.hostname);
    if (ip && isIP(ip) === 0) dropAddress(dropped, `${field}[${i}].ip`, ip, 'an IP address');
    else if (ip) out.push({ ip });
    else if (hostname) out.push({ hostname });
  });
  return out;
}

function gatewayAddresses(entries: unknown[], dropped: DroppedField[]): StatusTarget[] {
  const out: StatusTarget[] = [];
  entries.forEach((entry, i) => {
    const e = record(entry);
    const value = text(e.value);
    if (!value) return;
    const type = text(e.type) ?? 'IPAddress';
    if (type === 'IPAddress' || type.endsWith('/IPAddress')) {
      if (isIP(value) === 0) dropAddress(dropped, `status.addresses[${i}].value`, value, 'an IP address');
      else out.push({ ip: value });
    } else if (type === 'Hostname' || type.endsWith('/Hostname')) out.push({ hostname: value });
  });
  return out;
}

function parentRef(value: unknown, routeNamespace: string): ParentRef | undefined {
  const p = record(value);
  const name = text(p.name);
  if (!name) return undefined;
  return {
    group: text(p.group) ?? 'gateway.networking.k8s.io',
    kind: text(p.kind) ?? 'Gateway',
    namespace: text(p.namespace) ?? routeNamespace,
    name,
    sectionName: text(p.sectionName),
    port: num(p.port),
  };
}

const familyOf = { IPv4: 4, IPv6: 6 } as const;

// The addresses of one endpoint that are IPs of the slice's family (FQDN slices are kept as
// written: the index never answers them).
function endpointAddresses(value: unknown, addressType: string, field: string, dropped: DroppedField[]): string[] {
  const all = strings(value);
  const family = familyOf[addressType as keyof typeof familyOf];
  if (!family || all.every((a) => isIP(a) === family)) return all;
  const kept: string[] = [];
  for (const address of all) {
    if (isIP(address) === family) kept.push(address);
    else dropAddress(dropped, field, address, `an ${addressType} address`);
  }
  return kept;
}

// Every endpoint on a node repeats its name, and the JSON and YAML parsers make a new string each
// time: keep one copy per name. Bounded: past the cap the table starts again.
const nodeNames = new Map<string, string>();
const NODE_NAMES_CAP = 10_000;

function sharedNodeName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const known = nodeNames.get(name);
  if (known !== undefined) return known;
  if (nodeNames.size >= NODE_NAMES_CAP) nodeNames.clear();
  nodeNames.set(name, name);
  return name;
}

function endpoints(value: unknown, index: number, addressType: string, dropped: DroppedField[]): SliceEndpoint[] {
  const e = record(value);
  const c = record(e.conditions);
  const ready = c.ready !== false;
  const serving = typeof c.serving === 'boolean' ? c.serving : ready;
  const terminating = c.terminating === true;
  const nodeName = sharedNodeName(text(e.nodeName));
  const targetRef = record(e.targetRef);
  const targetPod = text(targetRef.kind) === 'Pod' ? text(targetRef.name) : undefined;
  return endpointAddresses(e.addresses, addressType, `endpoints[${index}].addresses`, dropped).map((address) => ({
    address,
    ready,
    serving,
    terminating,
    nodeName,
    targetPod,
  }));
}

function readySince(conditions: unknown[]): string {
  const ready = conditions.map(record).find((c) => text(c.type) === 'Ready');
  return ready && text(ready.status) === 'True' ? timestamp(ready.lastTransitionTime) || 'unknown' : '';
}

export function trimObject(value: unknown): ClusterObject | undefined {
  const raw = record(value);
  const kind = text(raw.kind);
  if (!kind) throw new ObjectShapeError('object has no kind');
  const spec = record(raw.spec);
  const status = record(raw.status);
  const dropped: DroppedField[] = [];
  const object = trimKnownKind(kind, raw, spec, status, dropped);
  if (object && dropped.length > 0) object.meta.dropped = dropped;
  return object;
}

function trimKnownKind(kind: string, raw: Raw, spec: Raw, status: Raw, dropped: DroppedField[]): ClusterObject | undefined {

  switch (kind) {
    case 'Service': {
      const meta = trimMeta(raw, kind);
      return {
        kind,
        meta,
        type: text(spec.type) ?? 'ClusterIP',
        loadBalancerClass: text(spec.loadBalancerClass),
        publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
        ports: list(spec.ports).map((p) => {
          const port = record(p);
          const target = port.targetPort;
          return {
            name: text(port.name) ?? '',
            protocol: text(port.protocol) ?? 'TCP',
            port: num(port.port) ?? 0,
            targetPort: typeof target === 'number' || typeof target === 'string' ? target : undefined,
          };
        }),
        uid: text(record(raw.metadata).uid) ?? '',
        statusIngress: statusTargets(list(record(status.loadBalancer).ingress), 'status.loadBalancer.ingress', dropped),
      };
    }
    case 'EndpointSlice': {
      const meta = trimMeta(raw, kind);
      const addressType = text(raw.addressType);
      if (addressType !== 'IPv4' && addressType !== 'IPv6' && addressType !== 'FQDN') {
        throw new ObjectShapeError(`EndpointSlice ${meta.namespace}/${meta.name} has addressType ${String(addressType)}`);
      }
      return {
        kind,
        meta,
        serviceName: meta.labels['kubernetes.io/service-name'] ?? '',
        addressType,
        ports: list(raw.ports).map((p) => {
          const port = record(p);
          return { name: text(port.name) ?? '', protocol: text(port.protocol) ?? 'TCP', port: num(port.port) ?? 0 };
        }),
        // slice(): an exact-size copy (flatMap's array keeps room to grow).
        endpoints: list(raw.endpoints).flatMap((e, i) => endpoints(e, i, addressType, dropped)).slice(),
      };
    }
    case 'Node': {
      const meta = trimMeta(raw, kind);
      const cidrs = list(spec.podCIDRs).filter((c): c is string => typeof c === 'string');
      const single = text(spec.podCIDR);
      return {
        kind,
        meta,
        podCIDRs: cidrs.length > 0 ? cidrs : single ? [single] : [],
        addresses: list(status.addresses).flatMap((a) => {
          const addr = record(a);
          const type = text(addr.type);
          const address = text(addr.address);
          return type && address ? [{ type, address }] : [];
        }),
        unschedulable: spec.unschedulable === true,
        drainTaints: list(spec.taints).flatMap((t) => {
          const taint = record(t);
          const key = text(taint.key);
          const effect = text(taint.effect);
          return key && effect && isDrainTaint(key, effect) ? [{ key, effect }] : [];
        }),
        readySince: readySince(list(status.conditions)),
      };
    }
    case 'Ingress': {
      const meta = trimMeta(raw, kind);
      return {
        kind,
        meta,
        hosts: list(spec.rules)
          .map((r) => text(record(r).host))
          .filter((h): h is string => !!h),
        targets: statusTargets(list(record(status.loadBalancer).ingress), 'status.loadBalancer.ingress', dropped),
      };
    }
    case 'Gateway': {
      const meta = trimMeta(raw, kind);
      return {
        kind,
        meta,
        listeners: list(spec.listeners).map((l): GatewayListener => {
          const listener = record(l);
          const from = text(record(record(listener.allowedRoutes).namespaces).from);
          return {
            name: text(listener.name) ?? '',
            hostname: text(listener.hostname),
            port: num(listener.port) ?? 0,
            protocol: text(listener.protocol) ?? 'HTTP',
            allowedNamespaces: from === 'All' || from === 'Selector' ? from : 'Same',
          };
        }),
        targets: gatewayAddresses(list(status.addresses), dropped),
      };
    }
    default: {
      if (!routeKinds.has(kind)) return undefined;
      const meta = trimMeta(raw, kind);
      const rejectedBy: ParentRef[] = [];
      for (const parentStatus of list(status.parents)) {
        const ps = record(parentStatus);
        const accepted = list(ps.conditions).find((c) => text(record(c).type) === 'Accepted');
        const ref = parentRef(ps.parentRef, meta.namespace);
        if (ref && accepted && text(record(accepted).status) === 'False') rejectedBy.push(ref);
      }
      return {
        kind: kind as RouteKind,
        meta,
        hostnames: list(spec.hostnames).filter((h): h is string => typeof h === 'string'),
        parentRefs: list(spec.parentRefs)
          .map((p) => parentRef(p, meta.namespace))
          .filter((p): p is ParentRef => !!p),
        rejectedBy,
      };
    }
  }
}
