// Which endpoint addresses a Service answers with: ready ones, else serving-but-terminating
// ones (as kube-proxy falls back), or all with publishNotReadyAddresses; per IP family.
// Then health: endpoints a probe found down are left out, endpoints on a drained or suspect
// node are answered only when nothing elsewhere is usable, and when every endpoint is down all
// are answered (fail open: a check must never empty an answer).

import type { SlicePort, TrimmedEndpointSlice, TrimmedService } from './cluster-objects.js';
import type { EndpointCondition } from './endpoint-health.js';

export interface EndpointInfo {
  address: string;
  family: 4 | 6;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod: string | undefined;
  node: string | undefined;
  answered: boolean;
  candidate: boolean; // passes the readiness rules: the prober checks these
  health: 'up' | 'down' | 'unchecked';
  healthSince: string | undefined; // when the probe state last changed
  healthDetail: string | undefined;
  demoted: string | undefined; // why it is answered only as a last resort (drained or suspect node)
}

export type EndpointStateCounts = Record<'answered' | 'down' | 'demoted' | 'not-ready', number>;

export interface EndpointSet {
  a: string[];
  aaaa: string[];
  ports: SlicePort[]; // named ports from the slices, for SRV
  endpoints: EndpointInfo[]; // every endpoint seen, answered or not, for explain
  fallback: boolean; // answering serving-but-terminating endpoints because none is ready
  failOpen: boolean; // every candidate was found down by its probe, so all are answered
  demotedOnly: boolean; // nothing else usable: answering endpoints on drained or suspect nodes
  states: EndpointStateCounts; // endpoints by what answers do with them (the minilb_endpoints gauge)
}

// What the answers need, kept per Service between changes; the per-endpoint detail (explain,
// probes, doctor) is selected again when asked for, from the same inputs. Kept for every Service
// it cost about 120 bytes per endpoint: 12 MiB at 100,000 endpoints.
export class CachedEndpointSet implements EndpointSet {
  readonly a: string[];
  readonly aaaa: string[];
  readonly ports: SlicePort[];
  readonly fallback: boolean;
  readonly failOpen: boolean;
  readonly demotedOnly: boolean;
  readonly states: EndpointStateCounts;

  constructor(private readonly select: () => EndpointSet) {
    const set = select();
    this.a = set.a;
    this.aaaa = set.aaaa;
    this.ports = set.ports;
    this.fallback = set.fallback;
    this.failOpen = set.failOpen;
    this.demotedOnly = set.demotedOnly;
    this.states = set.states;
  }

  get endpoints(): EndpointInfo[] {
    return this.select().endpoints;
  }
}

function stateCounts(all: EndpointInfo[]): EndpointStateCounts {
  const counts: EndpointStateCounts = { answered: 0, down: 0, demoted: 0, 'not-ready': 0 };
  for (const e of all) counts[e.answered ? 'answered' : !e.candidate ? 'not-ready' : e.health === 'down' ? 'down' : 'demoted']++;
  return counts;
}

const NO_ADDRESSES = Object.freeze([]) as unknown as string[];

export type ConditionOf = (address: string, node: string | undefined) => EndpointCondition | undefined;

interface FamilyChoice {
  chosen: EndpointInfo[];
  fallback: boolean;
  failOpen: boolean;
  demotedOnly: boolean;
}

function byReadiness(all: EndpointInfo[], publishNotReady: boolean): { candidates: EndpointInfo[]; fallback: boolean } {
  if (publishNotReady) return { candidates: all, fallback: false };
  const ready = all.filter((e) => e.ready);
  if (ready.length > 0) return { candidates: ready, fallback: false };
  const serving = all.filter((e) => e.serving && e.terminating);
  return { candidates: serving, fallback: serving.length > 0 };
}

// Demotion order: usable, then on a drained or suspect node, then down (answered only all together).
function selectFamily(all: EndpointInfo[], publishNotReady: boolean): FamilyChoice {
  const { candidates, fallback } = byReadiness(all, publishNotReady);
  for (const e of candidates) e.candidate = true;
  const alive = candidates.filter((e) => e.health !== 'down');
  const usable = alive.filter((e) => e.demoted === undefined);
  if (usable.length > 0) return { chosen: usable, fallback, failOpen: false, demotedOnly: false };
  if (alive.length > 0) return { chosen: alive, fallback, failOpen: false, demotedOnly: true };
  return { chosen: candidates, fallback, failOpen: candidates.length > 0, demotedOnly: false };
}

export function selectEndpoints(
  service: TrimmedService,
  slices: Iterable<TrimmedEndpointSlice>,
  conditionOf: ConditionOf = () => undefined,
): EndpointSet {
  const byAddress = new Map<string, EndpointInfo>();
  const ports = new Map<string, SlicePort>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const family = slice.addressType === 'IPv4' ? 4 : 6;
    for (const port of slice.ports) ports.set(`${port.name}/${port.protocol}/${port.port}`, port);
    for (const ep of slice.endpoints) {
      const address = ep.address;
      const seen = byAddress.get(address);
      // The same address in two slices (during a slice split) counts once, at its best state.
      if (seen && (seen.ready || !ep.ready)) continue;
      const condition = conditionOf(address, ep.nodeName);
      const probe = condition?.probe;
      const suspect = condition?.suspectSince;
      byAddress.set(address, {
        address,
        family,
        ready: ep.ready,
        serving: ep.serving,
        terminating: ep.terminating,
        pod: ep.targetPod,
        node: ep.nodeName,
        answered: false,
        candidate: false,
        health: probe?.state ?? 'unchecked',
        healthSince: probe?.since,
        healthDetail: probe?.detail,
        demoted: condition?.drained ?? (suspect ? `node suspect since ${suspect}: every probe on it failed` : undefined),
      });
    }
  }
  const all = [...byAddress.values()].sort((x, y) => x.address.localeCompare(y.address));
  const v4 = selectFamily(all.filter((e) => e.family === 4), service.publishNotReadyAddresses);
  const v6 = selectFamily(all.filter((e) => e.family === 6), service.publishNotReadyAddresses);
  for (const e of [...v4.chosen, ...v6.chosen]) e.answered = true;
  // Most Services have one family: the other's empty list is shared.
  return {
    a: v4.chosen.length > 0 ? v4.chosen.map((e) => e.address) : NO_ADDRESSES,
    aaaa: v6.chosen.length > 0 ? v6.chosen.map((e) => e.address) : NO_ADDRESSES,
    ports: [...ports.values()].sort((x, y) => x.name.localeCompare(y.name) || x.port - y.port),
    endpoints: all,
    fallback: v4.fallback || v6.fallback,
    failOpen: v4.failOpen || v6.failOpen,
    demotedOnly: v4.demotedOnly || v6.demotedOnly,
    states: stateCounts(all),
  };
}
