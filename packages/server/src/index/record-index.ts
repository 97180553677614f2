// The record index: cluster objects in, "what does this name resolve to, and why" out.
// Pure and synchronous; each change touches only what the changed object claims. The parts:
// object-store (objects and which claims a change touches), object-claims (what each object
// claims, and its problems), claim-table (claims by name, winner first), name-resolution.

import type { ClusterObject, ObjectKind, ObjectRef, TrimmedService } from './cluster-objects.js';
import { objectKey } from './cluster-objects.js';
import type { Claim } from './claims.js';
import { ClaimTable } from './claim-table.js';
import type { EndpointInfo, EndpointSet } from './endpoint-selection.js';
import { Trace, type Explanation } from './explanation.js';
import { normalizeName } from './hostnames.js';
import type { Lookup, NameIndex } from './name-lookup.js';
import { NameResolver } from './name-resolution.js';
import { deriveClaims, describeProblem, isEligible, type ClaimContext, type ObjectProblem } from './object-claims.js';
import { ObjectStore, type KindOf } from './object-store.js';
import type { HealthUpdate } from './endpoint-health.js';
import { HealthTable } from './health-table.js';
import type { Rejection } from './rejections.js';

export { hostAnnotation, excludeAnnotation } from './object-claims.js';

function droppedProblems(obj: ClusterObject): ObjectProblem[] {
  const object = { kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name };
  return (obj.meta.dropped ?? []).map((d) => ({ reason: d.reason, object, field: d.field, message: d.message }));
}

function asRejection(problem: ObjectProblem): Rejection {
  const { kind, namespace, name } = problem.object;
  return { reason: problem.reason, object: `${kind} ${namespace ? `${namespace}/` : ''}${name}`, message: describeProblem(problem) };
}

export type IndexChange = { upsert: ClusterObject } | { remove: Pick<ClusterObject, 'kind' | 'meta'> };

export interface HealthReport {
  suspectNodes: Record<string, string>; // node -> suspect since
  endpoints: (EndpointInfo & { service: string; failOpen: boolean })[];
  omitted: number; // past the limit
}

export interface RecordIndexOptions {
  zone: string; // e.g. 'minilb'
  lbClass: string; // spec.loadBalancerClass that makes a Service eligible
  maxChainDepth?: number;
}

export class RecordIndex implements NameIndex {
  readonly zone: string;
  readonly lbClass: string;
  private currentVersion = Math.floor(Date.now() / 1000);
  private readonly listeners: (() => void)[] = [];
  private readonly problemListeners: ((objectKey: string, problems: Rejection[]) => void)[] = [];
  private readonly health = new HealthTable();
  private readonly store = new ObjectStore((service, address, node, nodeName) => this.health.conditionOf(service, address, node, nodeName));
  private readonly claims: ClaimTable;
  private readonly resolver: NameResolver;
  private readonly claimContext: ClaimContext;
  private readonly problemsByObject = new Map<string, ObjectProblem[]>();

  constructor(options: RecordIndexOptions) {
    this.zone = normalizeName(options.zone);
    this.lbClass = options.lbClass;
    this.claims = new ClaimTable(this.zone);
    this.resolver = new NameResolver(this.zone, options.maxChainDepth ?? 8, this.claims, this.store);
    this.claimContext = {
      zone: this.zone,
      lbClass: this.lbClass,
      gateway: (namespace, name) => this.store.get('Gateway', namespace, name),
    };
  }

  get version(): number {
    return this.currentVersion;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  // Told the problems an object has now (an empty list when it has none left), whenever they
  // may have changed; the RejectionLog reports each new one once.
  onProblems(listener: (objectKey: string, problems: Rejection[]) => void): void {
    this.problemListeners.push(listener);
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

  // Several upserts and removals as one change: one version step, one cache flush.
  applyChanges(changes: readonly IndexChange[]): void {
    if (changes.length === 0) return;
    for (const change of changes) {
      const obj = 'upsert' in change ? change.upsert : change.remove;
      this.apply(obj.kind, obj.meta.namespace, obj.meta.name, 'upsert' in change ? change.upsert : undefined);
    }
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
    for (const kind of this.store.kinds()) {
      if (!inScope(kind)) continue;
      for (const obj of this.store.list(kind)) {
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

  // Health from the prober, as data. Changes answers (and so the version and the response
  // cache) only when a state really changed.
  updateHealth(update: HealthUpdate): void {
    const { services, nodes } = this.health.apply(update);
    for (const service of services) this.store.forgetEndpointsOf(service);
    for (const node of nodes) this.store.forgetEndpointsOn(node);
    if (services.length + nodes.length > 0) this.changed();
  }

  // Nodes the prober suspects dead, with the time the suspicion began.
  suspects(): ReadonlyMap<string, string> {
    return this.health.suspects();
  }

  // Endpoints that are down or demoted, and the suspect nodes: what `minilb doctor --api` reports.
  // At most `limit` endpoints, so the HTTP answer stays bounded.
  healthReport(limit = 1000): HealthReport {
    const endpoints: HealthReport['endpoints'] = [];
    let omitted = 0;
    for (const service of this.store.list('Service')) {
      if (!this.isEligible(service)) continue;
      const set = this.endpointsOf(service.meta.namespace, service.meta.name);
      for (const ep of set?.endpoints ?? []) {
        if (!ep.candidate || (ep.health !== 'down' && ep.demoted === undefined)) continue;
        if (endpoints.length >= limit) {
          omitted++;
          continue;
        }
        endpoints.push({ service: `${service.meta.namespace}/${service.meta.name}`, failOpen: set!.failOpen, ...ep });
      }
    }
    return { suspectNodes: Object.fromEntries(this.health.suspects()), endpoints, omitted };
  }

  // Endpoints of eligible Services by what answers do with them, for the minilb_endpoints gauge.
  endpointStates(): { endpoints: Record<string, number>; suspectNodes: number } {
    const endpoints: Record<string, number> = { answered: 0, down: 0, demoted: 0, 'not-ready': 0 };
    for (const service of this.store.list('Service')) {
      if (!this.isEligible(service)) continue;
      const states = this.endpointsOf(service.meta.namespace, service.meta.name)?.states;
      for (const [state, count] of Object.entries(states ?? {})) endpoints[state]! += count;
    }
    return { endpoints, suspectNodes: this.health.suspects().size };
  }

  private changed(): void {
    this.resolver.forget();
    this.currentVersion = Math.max(this.currentVersion + 1, Math.floor(Date.now() / 1000));
    for (const listener of this.listeners) listener();
  }

  private apply(kind: ObjectKind, namespace: string, name: string, obj: ClusterObject | undefined): void {
    const ownKey = objectKey({ kind, meta: { namespace, name } });
    const touched = this.store.put(kind, namespace, name, obj);
    for (const key of touched) {
      const current = this.store.getByKey(key);
      const derived = current ? deriveClaims(current, this.claimContext) : { claims: [], problems: [] };
      this.claims.set(key, derived.claims);
      this.setProblems(key, current ? [...droppedProblems(current), ...derived.problems] : []);
    }
    // Kinds that claim nothing (EndpointSlice, Gateway, Node) still have what trimming dropped.
    if (!touched.includes(ownKey)) this.setProblems(ownKey, obj ? droppedProblems(obj) : []);
  }

  private setProblems(key: string, problems: ObjectProblem[]): void {
    const before = this.problemsByObject.get(key);
    if (problems.length > 0) this.problemsByObject.set(key, problems);
    else this.problemsByObject.delete(key);
    if ((before?.length ?? 0) + problems.length === 0) return;
    for (const listener of this.problemListeners) listener(key, problems.map(asRejection));
  }

  // ---- reads ----

  get<K extends ObjectKind>(kind: K, namespace: string, name: string): KindOf<K> | undefined {
    return this.store.get(kind, namespace, name);
  }

  list<K extends ObjectKind>(kind: K): KindOf<K>[] {
    return this.store.list(kind);
  }

  isEligible(service: TrimmedService): boolean {
    return isEligible(service, this.lbClass);
  }

  // Invalid hostnames and other problems found in objects, for logs, explain and doctor.
  problems(): string[] {
    return [...this.problemsByObject.values()].flat().map(describeProblem);
  }

  // The same problems as rejections (reason, object, message), for doctor and the metric.
  rejections(): Rejection[] {
    return [...this.problemsByObject.values()].flat().map(asRejection);
  }

  problemsOf(object: ObjectRef): ObjectProblem[] {
    return this.problemsByObject.get(objectKey({ kind: object.kind, meta: object })) ?? [];
  }

  stats(): { claims: Record<string, number>; conflicts: number; objects: Record<string, number> } {
    return { ...this.claims.stats(), objects: this.store.counts() };
  }

  endpointsOf(namespace: string, name: string): EndpointSet | undefined {
    return this.store.endpointsOf(namespace, name);
  }

  // The names a Service itself claims: its own name and its minilb/host names. Names that reach
  // it through a chain (an Ingress status hostname) are claims of the Ingress, not listed here.
  claimsFor(namespace: string, name: string): Claim[] {
    return this.claims.ofObject(objectKey({ kind: 'Service', meta: { namespace, name } }));
  }

  // Every name that holds records, for zone transfers (wildcards as "*.suffix").
  recordNames(): Iterable<string> {
    return this.resolver.recordNames();
  }

  // Moves the SOA serial past `serial` (a secondary's, after a restart) without a record change.
  raiseVersion(serial: number): void {
    if (this.currentVersion > serial) return;
    this.currentVersion = serial + 1;
    for (const listener of this.listeners) listener();
  }

  // Every claimed hostname, wildcards written "*.suffix", for `minilb corefile`.
  claimedNames(): string[] {
    return this.claims.names();
  }

  // Every claim on the same name as `claim`, the winner first.
  rivalsOf(claim: Claim): readonly Claim[] {
    return this.claims.rivalsOf(claim);
  }

  // Hostnames claimed by more than one object, with the winner first.
  conflicts(): Claim[][] {
    return this.claims.conflicts();
  }

  lookup(name: string): Lookup {
    return this.resolver.resolve(normalizeName(name), undefined);
  }

  explain(rawName: string): Explanation {
    const name = normalizeName(rawName);
    const trace = new Trace(name);
    const result = this.resolver.resolve(name, trace);
    return trace.finish(result, (object) => this.problemsOf(object).map(describeProblem));
  }
}
