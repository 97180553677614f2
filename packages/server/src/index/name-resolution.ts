// Resolving a name against the claims: the winning claim's targets (Service endpoints, status
// IPs, status hostnames followed through the zone to a fixed depth), the synthetic SRV names
// (`_port._proto.<service name>`) with their per-endpoint target names, and the names that
// exist without data (the apex, empty non-terminals, `_proto.<service name>`).

import { isIP } from 'node:net';
import type { TrimmedService } from './cluster-objects.js';
import { lossReason } from './claims.js';
import type { ClaimTable } from './claim-table.js';
import type { Trace } from './explanation.js';
import { addressLabel, isInZone, normalizeName } from './hostnames.js';
import { emptyAnswers, type Answers, type Lookup, type SrvAnswer } from './name-lookup.js';
import type { ObjectStore } from './object-store.js';

// A chain visits each hostname once however many paths reach it, and at most this many
// targets in all: 8 Ingresses with 10 status hostnames each pointing at one another once took
// 3.9 s for one lookup (and explain ran out of heap). Cut chains say so in explain.
export const defaultMaxChainTargets = 256;

// Resolved lookups, kept until the index changes: a chain is walked once per index version.
const memoEntries = 50_000;

export class NameResolver {
  private readonly memo = new Map<string, Lookup>();

  constructor(
    private readonly zone: string,
    private readonly maxChainDepth: number,
    private readonly claims: ClaimTable,
    private readonly store: ObjectStore,
    private readonly maxChainTargets = defaultMaxChainTargets,
  ) {}

  // The index changed: every remembered lookup may be wrong now.
  forget(): void {
    this.memo.clear();
  }

  // `name` is normalised; `trace`, when given, records the path for explain.
  resolve(name: string, trace: Trace | undefined): Lookup {
    if (!trace) {
      const known = this.memo.get(name);
      if (known) return known;
    }
    const lookup = this.resolveUncached(name, trace);
    if (!trace) {
      if (this.memo.size >= memoEntries) this.memo.clear(); // a flood of random names
      this.memo.set(name, lookup);
    }
    return lookup;
  }

  private resolveUncached(name: string, trace: Trace | undefined): Lookup {
    const answers = this.resolveChain(name, trace);
    const inZone = isInZone(name, this.zone);
    if (answers) return { kind: 'found', answers };
    if (name === this.zone || this.claims.isEmptyNonTerminal(name) || this.syntheticExists(name)) {
      return { kind: 'found', answers: emptyAnswers() };
    }
    if (inZone) return { kind: 'nxdomain' };
    const outside = this.claims.outsideZone.lookup(name);
    if (outside.kind === 'empty-non-terminal') return { kind: 'found', answers: emptyAnswers() };
    if (outside.kind === 'below') return { kind: 'nxdomain', apex: outside.apex };
    return { kind: 'unknown' };
  }

  // Breadth first from `name` through in-zone status hostnames: every hostname reached within
  // the depth limit adds its addresses, each hostname is expanded once, and the walk stops
  // after maxChainTargets targets. An out-of-zone hostname of `name` itself is its CNAME.
  private resolveChain(name: string, trace: Trace | undefined): Answers | undefined {
    const rootClaims = this.claims.matching(name);
    if (!rootClaims) return this.synthetic(name, trace);
    const a = new Set<string>();
    const aaaa = new Set<string>();
    let cname: string | undefined;
    const reached = new Set<string>([name]);
    let level: string[] = [name];
    let budget = this.maxChainTargets;
    let cut = false;
    for (let depth = 0; level.length > 0 && !cut; depth++) {
      const next: string[] = [];
      for (const hostname of level) {
        const claims = depth === 0 ? rootClaims : this.claims.matching(hostname);
        if (!claims) {
          const sub = this.synthetic(hostname, trace);
          for (const ip of sub?.a ?? []) a.add(ip);
          for (const ip of sub?.aaaa ?? []) aaaa.add(ip);
          continue;
        }
        const winner = claims[0]!;
        const step = trace?.step(hostname, winner, claims.slice(1).map((c) => ({ claim: c, reason: lossReason(winner, c) })));
        for (const target of winner.targets) {
          if (budget-- <= 0) {
            cut = true;
            step?.warn(`chain cut after ${this.maxChainTargets} targets; the answers may be incomplete`);
            break;
          }
          if ('service' in target) {
            const [ns, svc] = target.service.split('/') as [string, string];
            const set = this.store.endpointsOf(ns, svc);
            trace?.service(ns, svc, this.store.get('Service', ns, svc), set);
            for (const ip of set?.a ?? []) a.add(ip);
            for (const ip of set?.aaaa ?? []) aaaa.add(ip);
          } else if ('ip' in target) {
            // Sources drop status addresses that are not IPs; a family check costs nothing.
            const family = isIP(target.ip);
            if (family === 4) a.add(target.ip);
            else if (family === 6) aaaa.add(target.ip);
          } else {
            const followed = normalizeName(target.hostname);
            if (!isInZone(followed, this.zone)) {
              if (depth === 0) cname ??= followed;
              step?.follow(followed, 'outside the zone: answered as CNAME');
            } else if (reached.has(followed)) {
              step?.warn(`chain loops back to ${followed} (or reaches it twice); not followed again`);
            } else if (depth + 1 >= this.maxChainDepth) {
              step?.warn(`chain longer than ${this.maxChainDepth} hostnames; ${followed} not followed`);
            } else {
              step?.follow(followed, 'status hostname inside the zone: followed');
              reached.add(followed);
              next.push(followed);
            }
          }
        }
        if (cut) break;
      }
      level = next;
    }
    // Addresses win over an out-of-zone CNAME: a CNAME must stand alone at a name.
    if (a.size > 0 || aaaa.size > 0 || !cname) return { ...emptyAnswers(), a: [...a], aaaa: [...aaaa] };
    return { ...emptyAnswers(), cname };
  }

  // Every name that holds records: the claimed hostnames, and for each Service name its SRV
  // names and per-endpoint names (the synthetic names resolve() answers).
  *recordNames(): Generator<string> {
    for (const name of this.claims.names()) {
      yield name;
      const service = this.serviceOfName(name);
      if (!service) continue;
      const set = this.store.endpointsOf(service.meta.namespace, service.meta.name)!;
      yield* new Set(set.ports.filter((p) => p.name).map((p) => `_${p.name}._${p.protocol.toLowerCase()}.${name}`));
      for (const ip of [...set.a, ...set.aaaa]) yield `${addressLabel(ip)}.${name}`;
    }
  }

  // `<service>.<namespace>.<zone>` when that is an eligible Service's own name.
  private serviceOfName(name: string): TrimmedService | undefined {
    const winner = this.claims.exactWinner(name);
    if (!winner || winner.source.kind !== 'Service') return undefined;
    return this.store.get('Service', winner.source.namespace, winner.source.name);
  }

  // SRV names (`_port._proto.<service name>`) and their per-endpoint target names.
  private synthetic(name: string, trace: Trace | undefined): Answers | undefined {
    if (!isInZone(name, this.zone)) return undefined;
    const labels = name.split('.');
    if (labels.length > 2 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      const base = labels.slice(2).join('.');
      const service = this.serviceOfName(base);
      if (!service) return undefined;
      const set = this.store.endpointsOf(service.meta.namespace, service.meta.name)!;
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
      return { ...emptyAnswers(), srv };
    }
    if (labels.length > 1) {
      const base = labels.slice(1).join('.');
      const service = this.serviceOfName(base);
      if (!service) return undefined;
      const set = this.store.endpointsOf(service.meta.namespace, service.meta.name)!;
      const a = set.a.filter((ip) => addressLabel(ip) === labels[0]);
      const aaaa = set.aaaa.filter((ip) => addressLabel(ip) === labels[0]);
      if (a.length === 0 && aaaa.length === 0) return undefined;
      trace?.service(service.meta.namespace, service.meta.name, service, set);
      return { ...emptyAnswers(), a, aaaa };
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
    return this.store.endpointsOf(service.meta.namespace, service.meta.name)!.ports.some((p) => p.protocol === proto);
  }
}
