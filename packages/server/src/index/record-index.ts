// The record index: cluster objects in, "what does this name resolve to, and why" out.
// Pure and synchronous; each change touches only what the changed object claims.

import { isIP } from 'node:net';
import type {
  ClusterObject,
  ObjectKind,
  TrimmedEndpointSlice,
  TrimmedGateway,
  TrimmedIngress,
  TrimmedRoute,
  TrimmedService,
} from './cluster-objects.js';
import { objectKey } from './cluster-objects.js';
import { compareClaims, lossReason, type Claim, type ClaimKind, type Target } from './claims.js';
import { selectEndpoints, type EndpointSet } from './endpoint-selection.js';
import { attachedHostnames, gatewayKeyOf, gatewayRefs } from './gateway-attachment.js';
import { addressLabel, isInZone, normalizeName, parseHostname } from './hostnames.js';
import type { Answers, Lookup, NameIndex, SrvAnswer } from './name-lookup.js';
import { Trace, type Explanation } from './explanation.js';

export interface RecordIndexOptions {
  zone: string; // e.g. 'minilb'
  lbClass: string; // spec.loadBalancerClass that makes a Service eligible
  maxChainDepth?: number;
}

export const hostAnnotation = 'minilb/host';
export const excludeAnnotation = 'minilb/exclude';

const emptyAnswers = (): Answers => ({ a: [], aaaa: [], cname: undefined, srv: [] });

function nsName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function parentNames(name: string, zone: string): string[] {
  // The names strictly between `name` and the zone apex: the empty non-terminals it implies.
  const out: string[] = [];
  let rest = name;
  for (;;) {
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
    if (rest === zone || !isInZone(rest, zone)) break;
    out.push(rest);
  }
  return out;
}

export class RecordIndex implements NameIndex {
  readonly zone: string;
  readonly lbClass: string;
  private readonly maxChainDepth: number;
  private currentVersion = Math.floor(Date.now() / 1000);
  private readonly listeners: (() => void)[] = [];

  private readonly objects = new Map<ObjectKind, Map<string, ClusterObject>>();
  private readonly claimsByObject = new Map<string, Claim[]>();
  private readonly exact = new Map<string, Claim[]>();
  private readonly wildcards = new Map<string, Claim[]>();
  private readonly emptyNonTerminals = new Map<string, number>();
  private readonly slicesByService = new Map<string, Map<string, TrimmedEndpointSlice>>();
  private readonly endpointCache = new Map<string, EndpointSet>();
  private readonly routesByGateway = new Map<string, Set<string>>();
  private readonly objectProblems = new Map<string, string[]>();
  private readonly claimCounts = new Map<ClaimKind, number>();
  private conflictedNames = 0;

  constructor(options: RecordIndexOptions) {
    this.zone = normalizeName(options.zone);
    this.lbClass = options.lbClass;
    this.maxChainDepth = options.maxChainDepth ?? 8;
  }

  get version(): number {
    return this.currentVersion;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  // ---- updates ----

  upsert(obj: ClusterObject): void {
    this.apply(obj.kind, obj.meta.namespace, obj.meta.name, obj);
    this.changed();
  }

  remove(kind: ObjectKind, namespace: string, name: string): void {
    this.apply(kind, namespace, name, undefined);
    this.changed();
  }

  // Makes the index hold exactly `objects` (a manifest reload), touching only what differs.
  replaceAll(objects: Iterable<ClusterObject>): void {
    this.replaceWhere(() => true, objects);
  }

  // Makes the index hold exactly `objects` of one kind (a Kubernetes re-list).
  replaceKind(kind: ObjectKind, objects: Iterable<ClusterObject>): void {
    this.replaceWhere((k) => k === kind, objects);
  }

  private replaceWhere(inScope: (kind: ObjectKind) => boolean, objects: Iterable<ClusterObject>): void {
    const wanted = new Map<string, ClusterObject>();
    for (const obj of objects) wanted.set(objectKey(obj), obj);
    let changes = 0;
    for (const [kind, byName] of this.objects) {
      if (!inScope(kind)) continue;
      for (const obj of [...byName.values()]) {
        if (wanted.has(objectKey(obj))) continue;
        this.apply(kind, obj.meta.namespace, obj.meta.name, undefined);
        changes++;
      }
    }
    for (const obj of wanted.values()) {
      const current = this.get(obj.kind, obj.meta.namespace, obj.meta.name);
      if (current && JSON.stringify(current) === JSON.stringify(obj)) continue;
      this.apply(obj.kind, obj.meta.namespace, obj.meta.name, obj);
      changes++;
    }
    // A re-list that finds nothing new keeps the SOA serial and the response cache.
    if (changes > 0) this.changed();
  }

  private changed(): void {
    this.currentVersion = Math.max(this.currentVersion + 1, Math.floor(Date.now() / 1000));
    for (const listener of this.listeners) listener();
  }

  private apply(kind: ObjectKind, namespace: string, name: string, obj: ClusterObject | undefined): void {
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
        this.setClaims(key, obj ? this.serviceClaims(obj as TrimmedService) : []);
        break;
      case 'EndpointSlice':
        this.moveSlice(old as TrimmedEndpointSlice | undefined, obj as TrimmedEndpointSlice | undefined);
        break;
      case 'Ingress':
        this.setClaims(key, obj ? this.ingressClaims(obj as TrimmedIngress) : []);
        break;
      case 'Gateway':
        for (const routeKey of this.routesByGateway.get(key) ?? []) this.refreshRoute(routeKey);
        break;
      case 'HTTPRoute':
      case 'GRPCRoute':
      case 'TLSRoute':
        this.linkRoute(key, old as TrimmedRoute | undefined, obj as TrimmedRoute | undefined);
        this.refreshRoute(key);
        break;
      case 'Node':
        break;
    }
  }

  private moveSlice(old: TrimmedEndpointSlice | undefined, next: TrimmedEndpointSlice | undefined): void {
    for (const slice of [old, next]) {
      if (slice) this.endpointCache.delete(nsName(slice.meta.namespace, slice.serviceName));
    }
    if (old) {
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

  private refreshRoute(routeKey: string): void {
    const [kind, namespace, name] = routeKey.split('/') as [ObjectKind, string, string];
    const route = this.get(kind, namespace, name) as TrimmedRoute | undefined;
    this.setClaims(routeKey, route ? this.routeClaims(route) : []);
  }

  // ---- claims from objects ----

  isEligible(service: TrimmedService): boolean {
    return (
      service.type === 'LoadBalancer' &&
      service.loadBalancerClass === this.lbClass &&
      service.meta.annotations[excludeAnnotation] !== 'true'
    );
  }

  private excluded(obj: ClusterObject): boolean {
    return obj.meta.annotations[excludeAnnotation] === 'true';
  }

  private parseNames(key: string, raw: string[], allowWildcard: boolean, problems: string[]) {
    const out: { name: string; wildcard: boolean }[] = [];
    const seen = new Set<string>();
    for (const name of raw) {
      const parsed = parseHostname(name);
      if (!parsed.ok) problems.push(`${key}: skipped hostname ${parsed.reason}`);
      else if (parsed.wildcard && !allowWildcard) problems.push(`${key}: skipped hostname "${name}": wildcards are not allowed here`);
      else if (!seen.has((parsed.wildcard ? '*.' : '') + parsed.name)) {
        seen.add((parsed.wildcard ? '*.' : '') + parsed.name);
        out.push(parsed);
      }
    }
    return out;
  }

  private serviceClaims(service: TrimmedService): Claim[] {
    this.objectProblems.delete(objectKey(service));
    if (!this.isEligible(service)) return [];
    const { namespace, name, creationTimestamp } = service.meta;
    const target: Target = { service: nsName(namespace, name) };
    const claims: Claim[] = [
      {
        name: `${name}.${namespace}.${this.zone}`,
        wildcard: 'none',
        source: { kind: 'Service', namespace, name, creationTimestamp, via: undefined },
        targets: [target],
      },
    ];
    const annotation = service.meta.annotations[hostAnnotation];
    if (annotation) {
      const key = `Service ${namespace}/${name} annotation ${hostAnnotation}`;
      const problems: string[] = [];
      const names = this.parseNames(key, annotation.split(',').filter((n) => n.trim() !== ''), false, problems);
      this.objectProblems.set(objectKey(service), problems);
      for (const parsed of names) {
        claims.push({
          name: parsed.name,
          wildcard: 'none',
          source: { kind: 'annotation', namespace, name, creationTimestamp, via: undefined },
          targets: [target],
        });
      }
    }
    return claims;
  }

  private ingressClaims(ingress: TrimmedIngress): Claim[] {
    if (this.excluded(ingress)) return [];
    const { namespace, name, creationTimestamp } = ingress.meta;
    const problems: string[] = [];
    const names = this.parseNames(`Ingress ${namespace}/${name}`, ingress.hosts, true, problems);
    this.objectProblems.set(objectKey(ingress), problems);
    return names.map((parsed) => ({
      name: parsed.name,
      wildcard: parsed.wildcard ? 'one-label' : 'none',
      source: { kind: 'Ingress', namespace, name, creationTimestamp, via: undefined },
      targets: ingress.targets,
    }));
  }

  private routeClaims(route: TrimmedRoute): Claim[] {
    if (this.excluded(route)) return [];
    const { namespace, name, creationTimestamp } = route.meta;
    const byName = new Map<string, Claim>();
    const problems: string[] = [];
    for (const ref of gatewayRefs(route)) {
      const gateway = this.get('Gateway', ref.namespace, ref.name) as TrimmedGateway | undefined;
      if (!gateway || this.excluded(gateway)) continue;
      const hostnames = attachedHostnames(route, gateway);
      const names = this.parseNames(`${route.kind} ${namespace}/${name}`, hostnames, true, problems);
      for (const parsed of names) {
        const id = (parsed.wildcard ? '*.' : '') + parsed.name;
        const existing = byName.get(id);
        const via = `Gateway ${gateway.meta.namespace}/${gateway.meta.name}`;
        if (existing) {
          existing.targets = [...existing.targets, ...gateway.targets];
          existing.source.via = `${existing.source.via}, ${via}`;
        } else {
          byName.set(id, {
            name: parsed.name,
            wildcard: parsed.wildcard ? 'any-depth' : 'none',
            source: { kind: route.kind, namespace, name, creationTimestamp, via },
            targets: [...gateway.targets],
          });
        }
      }
    }
    this.objectProblems.set(objectKey(route), problems);
    return [...byName.values()];
  }

  // ---- claim maps ----

  private setClaims(key: string, claims: Claim[]): void {
    for (const claim of this.claimsByObject.get(key) ?? []) this.removeClaim(claim);
    if (claims.length > 0) this.claimsByObject.set(key, claims);
    else {
      this.claimsByObject.delete(key);
      if (!this.hasObject(key)) this.objectProblems.delete(key);
    }
    for (const claim of claims) this.addClaim(claim);
  }

  private hasObject(key: string): boolean {
    const [kind, namespace, name] = key.split('/') as [ObjectKind, string, string];
    return this.get(kind, namespace, name) !== undefined;
  }

  private impliedNames(claim: Claim): string[] {
    if (!isInZone(claim.name, this.zone)) return [];
    const parents = parentNames(claim.name, this.zone);
    return claim.wildcard === 'none' || claim.name === this.zone ? parents : [claim.name, ...parents];
  }

  private addClaim(claim: Claim): void {
    const map = claim.wildcard === 'none' ? this.exact : this.wildcards;
    const list = map.get(claim.name) ?? [];
    const at = list.findIndex((c) => compareClaims(claim, c) < 0);
    if (at < 0) list.push(claim);
    else list.splice(at, 0, claim);
    map.set(claim.name, list);
    if (list.length === 2) this.conflictedNames++;
    this.claimCounts.set(claim.source.kind, (this.claimCounts.get(claim.source.kind) ?? 0) + 1);
    for (const name of this.impliedNames(claim)) this.emptyNonTerminals.set(name, (this.emptyNonTerminals.get(name) ?? 0) + 1);
  }

  private removeClaim(claim: Claim): void {
    const map = claim.wildcard === 'none' ? this.exact : this.wildcards;
    const list = map.get(claim.name);
    if (list) {
      const at = list.indexOf(claim);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 1) this.conflictedNames--;
      if (list.length === 0) map.delete(claim.name);
    }
    this.claimCounts.set(claim.source.kind, (this.claimCounts.get(claim.source.kind) ?? 1) - 1);
    for (const name of this.impliedNames(claim)) {
      const count = (this.emptyNonTerminals.get(name) ?? 1) - 1;
      if (count > 0) this.emptyNonTerminals.set(name, count);
      else this.emptyNonTerminals.delete(name);
    }
  }

  // ---- reads ----

  get(kind: ObjectKind, namespace: string, name: string): ClusterObject | undefined {
    return this.objects.get(kind)?.get(nsName(namespace, name));
  }

  list<K extends ObjectKind>(kind: K): Extract<ClusterObject, { kind: K }>[] {
    return [...(this.objects.get(kind)?.values() ?? [])] as Extract<ClusterObject, { kind: K }>[];
  }

  // Invalid hostnames and other problems found in objects, for logs, explain and doctor.
  problems(): string[] {
    return [...this.objectProblems.values()].flat();
  }

  stats(): { claims: Record<string, number>; conflicts: number; objects: Record<string, number> } {
    const objects: Record<string, number> = {};
    for (const [kind, byName] of this.objects) objects[kind] = byName.size;
    return { claims: Object.fromEntries(this.claimCounts), conflicts: this.conflictedNames, objects };
  }

  endpointsOf(namespace: string, name: string): EndpointSet | undefined {
    const id = nsName(namespace, name);
    const service = this.get('Service', namespace, name) as TrimmedService | undefined;
    if (!service) return undefined;
    let set = this.endpointCache.get(id);
    if (!set) {
      set = selectEndpoints(service, this.slicesByService.get(id)?.values() ?? []);
      this.endpointCache.set(id, set);
    }
    return set;
  }

  // Every hostname that resolves to the Service (its own name, annotations, and names whose
  // chain ends at it), for the controller and inspect.
  claimsFor(namespace: string, name: string): Claim[] {
    return this.claimsByObject.get(`Service/${nsName(namespace, name)}`) ?? [];
  }

  // Every claimed hostname, wildcards written "*.suffix", for `minilb corefile`.
  claimedNames(): string[] {
    return [...this.exact.keys(), ...[...this.wildcards.keys()].map((n) => `*.${n}`)].sort();
  }

  // Every claim on the same name as `claim`, the winner first.
  rivalsOf(claim: Claim): readonly Claim[] {
    return (claim.wildcard === 'none' ? this.exact : this.wildcards).get(claim.name) ?? [];
  }

  // Hostnames claimed by more than one object, with the winner first.
  conflicts(): Claim[][] {
    return [...this.exact.values(), ...this.wildcards.values()].filter((list) => list.length > 1).map((l) => [...l]);
  }

  lookup(name: string): Lookup {
    return this.resolve(normalizeName(name), undefined);
  }

  explain(rawName: string): Explanation {
    const name = normalizeName(rawName);
    const trace = new Trace(name);
    const result = this.resolve(name, trace);
    return trace.finish(result, this.problems());
  }

  private resolve(name: string, trace: Trace | undefined): Lookup {
    const answers = this.resolveName(name, trace, 0, new Set());
    if (answers) return { kind: 'found', answers };
    if (name === this.zone || this.emptyNonTerminals.has(name) || this.syntheticExists(name)) {
      return { kind: 'found', answers: emptyAnswers() };
    }
    return isInZone(name, this.zone) ? { kind: 'nxdomain' } : { kind: 'unknown' };
  }

  // The winning claim for a name: exact first, then the longest matching wildcard.
  private winningClaims(name: string): Claim[] | undefined {
    const exact = this.exact.get(name);
    if (exact) return exact;
    if (this.emptyNonTerminals.has(name)) return undefined; // an existing name is never wildcard-matched
    let rest = name;
    for (let depth = 1; ; depth++) {
      const dot = rest.indexOf('.');
      if (dot < 0) return undefined;
      rest = rest.slice(dot + 1);
      const list = this.wildcards.get(rest)?.filter((c) => c.wildcard === 'any-depth' || depth === 1);
      if (list && list.length > 0) return list;
    }
  }

  private resolveName(name: string, trace: Trace | undefined, depth: number, visiting: Set<string>): Answers | undefined {
    const claims = this.winningClaims(name);
    if (!claims) return this.synthetic(name, trace);
    const winner = claims[0]!;
    const step = trace?.step(name, winner, claims.slice(1).map((c) => ({ claim: c, reason: lossReason(winner, c) })));
    const a = new Set<string>();
    const aaaa = new Set<string>();
    let cname: string | undefined;
    visiting.add(name);
    for (const target of winner.targets) {
      if ('service' in target) {
        const [ns, svc] = target.service.split('/') as [string, string];
        const set = this.endpointsOf(ns, svc);
        trace?.service(ns, svc, this.get('Service', ns, svc) as TrimmedService | undefined, set);
        for (const ip of set?.a ?? []) a.add(ip);
        for (const ip of set?.aaaa ?? []) aaaa.add(ip);
      } else if ('ip' in target) {
        const family = isIP(target.ip);
        if (family === 4) a.add(target.ip);
        else if (family === 6) aaaa.add(target.ip);
        else step?.warn(`status address "${target.ip}" is not an IP address; skipped`);
      } else {
        const next = normalizeName(target.hostname);
        if (!isInZone(next, this.zone)) {
          cname ??= next;
          step?.follow(next, 'outside the zone: answered as CNAME');
        } else if (visiting.has(next)) {
          step?.warn(`chain loops back to ${next}; not followed`);
        } else if (depth + 1 >= this.maxChainDepth) {
          step?.warn(`chain longer than ${this.maxChainDepth} hostnames; ${next} not followed`);
        } else {
          step?.follow(next, 'status hostname inside the zone: followed');
          const sub = this.resolveName(next, trace, depth + 1, visiting);
          for (const ip of sub?.a ?? []) a.add(ip);
          for (const ip of sub?.aaaa ?? []) aaaa.add(ip);
        }
      }
    }
    visiting.delete(name);
    if (a.size > 0 || aaaa.size > 0 || !cname) return { a: [...a], aaaa: [...aaaa], cname: undefined, srv: [] };
    return { a: [], aaaa: [], cname, srv: [] };
  }

  // `<service>.<namespace>.<zone>` when that is an eligible Service's own name.
  private serviceOfName(name: string): TrimmedService | undefined {
    const winner = this.exact.get(name)?.[0];
    if (!winner || winner.source.kind !== 'Service') return undefined;
    return this.get('Service', winner.source.namespace, winner.source.name) as TrimmedService | undefined;
  }

  // SRV names (`_port._proto.<service name>`) and their per-endpoint target names.
  private synthetic(name: string, trace: Trace | undefined): Answers | undefined {
    if (!isInZone(name, this.zone)) return undefined;
    const labels = name.split('.');
    if (labels.length > 2 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      const base = labels.slice(2).join('.');
      const service = this.serviceOfName(base);
      if (!service) return undefined;
      const set = this.endpointsOf(service.meta.namespace, service.meta.name)!;
      const portName = labels[0]!.slice(1);
      const proto = labels[1]!.slice(1).toUpperCase();
      const ports = set.ports.filter((p) => p.name === portName && p.protocol === proto);
      if (ports.length === 0) return undefined;
      trace?.service(service.meta.namespace, service.meta.name, service, set);
      const srv: SrvAnswer[] = [];
      for (const port of ports) {
        for (const ip of [...set.a, ...set.aaaa]) {
          srv.push({ priority: 0, weight: 10, port: port.port, target: `${addressLabel(ip)}.${base}` });
        }
      }
      return { a: [], aaaa: [], cname: undefined, srv };
    }
    if (labels.length > 1) {
      const base = labels.slice(1).join('.');
      const service = this.serviceOfName(base);
      if (!service) return undefined;
      const set = this.endpointsOf(service.meta.namespace, service.meta.name)!;
      const a = set.a.filter((ip) => addressLabel(ip) === labels[0]);
      const aaaa = set.aaaa.filter((ip) => addressLabel(ip) === labels[0]);
      if (a.length === 0 && aaaa.length === 0) return undefined;
      trace?.service(service.meta.namespace, service.meta.name, service, set);
      return { a, aaaa, cname: undefined, srv: [] };
    }
    return undefined;
  }

  // `_<proto>.<service name>` exists (NODATA) when the Service has a port of that protocol.
  private syntheticExists(name: string): boolean {
    const labels = name.split('.');
    if (labels.length < 2 || !labels[0]!.startsWith('_')) return false;
    const service = this.serviceOfName(labels.slice(1).join('.'));
    if (!service) return false;
    const proto = labels[0]!.slice(1).toUpperCase();
    return this.endpointsOf(service.meta.namespace, service.meta.name)!.ports.some((p) => p.protocol === proto);
  }
}
