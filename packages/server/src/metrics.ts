// The Prometheus metrics minilb exports, on one registry that /metrics serves. The per-query
// DNS families (CoreDNS's shape: minilb_dns_requests_total, _responses_total, _request_duration_
// seconds, _request_size_bytes, _response_size_bytes) live in dns/query-metrics.ts, which keeps
// plain counts on the hot path. Everything else is here, named minilb_<concern>_<what>[_unit],
// counters ending in _total, with label values from small fixed sets only.
// prom-client is the well-kept standard; its text format and histograms are not worth rewriting.

import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics.js';
import { serverVersion } from './version.js';

export const registry = new Registry();
collectProcessMetrics(registry, 'minilb_');

// Event-loop health measured at scrape time only. prom-client's default monitor is a libuv
// timer (every 10 ms, or 100 ms as we had it) that woke an idle server 10 times a second.
export const eventLoopLag = new Gauge({
  name: 'minilb_nodejs_eventloop_lag_seconds',
  help: 'Time a callback queued at scrape time waited for the event loop.',
  registers: [registry],
  async collect() {
    const start = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.set((performance.now() - start) / 1000);
  },
});

let lastUtilization = performance.eventLoopUtilization();
export const eventLoopUtilization = new Gauge({
  name: 'minilb_nodejs_eventloop_utilization',
  help: 'Share of time the event loop was busy since the previous scrape (0 to 1).',
  registers: [registry],
  collect() {
    const now = performance.eventLoopUtilization();
    this.set(performance.eventLoopUtilization(now, lastUtilization).utilization);
    lastUtilization = now;
  },
});

// As coredns_build_info: a constant 1 whose labels say what is running.
export const buildInfo = new Gauge({
  name: 'minilb_build_info',
  help: 'A metric with a constant 1 value labelled by the minilb version and the Node.js version it runs on.',
  labelNames: ['version', 'nodeversion'] as const,
  registers: [registry],
});
buildInfo.set({ version: serverVersion, nodeversion: process.versions.node }, 1);

// Counted with plain increments on the answer path (prom-client's label hashing per query
// showed in the UDP profile) and copied into the counter at scrape time.
export const responseCacheCounts = { hit: 0, miss: 0 };
export const responseCacheLookups = new Counter({
  name: 'minilb_response_cache_lookups_total',
  help: 'Encoded-response cache lookups, by result (hit or miss).',
  labelNames: ['result'] as const,
  registers: [registry],
  collect() {
    this.reset();
    this.labels('hit').inc(responseCacheCounts.hit);
    this.labels('miss').inc(responseCacheCounts.miss);
  },
});

export const upstreamFailures = new Counter({
  name: 'minilb_upstream_failures_total',
  help: 'Queries relayed to -upstream that failed (timeout or error) and were answered SERVFAIL.',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const tcpConnections = new Gauge({
  name: 'minilb_dns_tcp_connections',
  help: 'Open DNS-over-TCP connections.',
  registers: [registry],
});

export const tcpConnectionsClosed = new Counter({
  name: 'minilb_dns_tcp_closed_total',
  help: 'DNS-over-TCP connections closed or refused by minilb, by reason (idle, frame_timeout, write_stalled, evicted, close_timeout, refused).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

// The record index tells, at scrape time, what it holds (its counters are kept incrementally).
interface IndexStats {
  claims: Record<string, number>;
  conflicts: number;
  objects: Record<string, number>;
}
let indexStats: () => IndexStats = () => ({ claims: {}, conflicts: 0, objects: {} });
export function reportIndexStats(provider: () => IndexStats): void {
  indexStats = provider;
}

export const indexRecords = new Gauge({
  name: 'minilb_records',
  help: 'Hostnames the index answers for, by source kind.',
  labelNames: ['kind'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [kind, count] of Object.entries(indexStats().claims)) this.set({ kind }, count);
  },
});

export const indexConflicts = new Gauge({
  name: 'minilb_hostname_conflicts',
  help: 'Hostnames claimed by more than one object (the losers are shown by /v1/explain).',
  registers: [registry],
  collect() {
    this.set(indexStats().conflicts);
  },
});

export const sourceObjects = new Gauge({
  name: 'minilb_source_objects',
  help: 'Objects held in the cluster state, by kind.',
  labelNames: ['kind'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [kind, count] of Object.entries(indexStats().objects)) this.set({ kind }, count);
  },
});

export const watchRestarts = new Counter({
  name: 'minilb_watch_restarts_total',
  help: 'Kubernetes watches restarted, by kind and reason (gone: 410 re-list, idle: watchdog, error).',
  labelNames: ['kind', 'reason'] as const,
  registers: [registry],
});

// The Kubernetes source tells, at scrape time, when each kind last heard from the API server.
let lastEventTimes: () => Map<string, number> = () => new Map();
export function reportLastEventTimes(provider: () => Map<string, number>): void {
  lastEventTimes = provider;
}

export const lastEventAge = new Gauge({
  name: 'minilb_watch_last_event_age_seconds',
  help: 'Seconds since the last list, event or bookmark per kind: high values mean the answers may be stale.',
  labelNames: ['kind'] as const,
  registers: [registry],
  collect() {
    this.reset();
    const now = Date.now();
    for (const [kind, at] of lastEventTimes()) this.set({ kind }, (now - at) / 1000);
  },
});

export const statusWrites = new Counter({
  name: 'minilb_service_status_writes_total',
  help: 'Service status patches by the leader, by result.',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const isLeader = new Gauge({
  name: 'minilb_leader',
  help: '1 while this replica holds the leader Lease and writes Service status.',
  registers: [registry],
});

export const uncaughtErrors = new Counter({
  name: 'minilb_uncaught_errors_total',
  help: 'Exceptions and rejections nothing caught, logged and contained while serving (each one is a bug).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const rejectedObjects = new Gauge({
  name: 'minilb_rejected_objects',
  help: 'Objects, or parts of objects, that minilb currently ignores or refuses, by reason (each is logged once; minilb doctor lists them).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const healthProbes = new Counter({
  name: 'minilb_health_probes_total',
  help: 'Health-check TCP connects, by result (up, refused, timeout, unreachable, error).',
  labelNames: ['result'] as const,
  registers: [registry],
});

// The prober tells, at scrape time, how many probed endpoints are in each state.
let healthStates: () => Record<string, number> = () => ({});
export function reportHealthStates(provider: () => Record<string, number>): void {
  healthStates = provider;
}

export const healthEndpoints = new Gauge({
  name: 'minilb_health_endpoints',
  help: 'Health-checked endpoints by state (up, down, unchecked); a down one is left out of answers unless all are down.',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [state, count] of Object.entries(healthStates())) this.set({ state }, count);
  },
});

export const nodeSuspicions = new Counter({
  name: 'minilb_node_suspicions_total',
  help: 'Times a node was suspected dead because every probed endpoint on it failed without a reply.',
  registers: [registry],
});

// The index tells, at scrape time, how many endpoints of minilb Services are in each state.
interface EndpointStates {
  endpoints: Record<string, number>;
  suspectNodes: number;
}
let endpointStates: () => EndpointStates = () => ({ endpoints: {}, suspectNodes: 0 });
export function reportEndpointStates(provider: () => EndpointStates): void {
  endpointStates = provider;
}

export const endpointsByState = new Gauge({
  name: 'minilb_endpoints',
  help: 'Endpoints of minilb Services by state: answered, down (failed its check), demoted (drained or suspect node, not answered), not-ready.',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [state, count] of Object.entries(endpointStates().endpoints)) this.set({ state }, count);
  },
});

export const suspectNodes = new Gauge({
  name: 'minilb_suspect_nodes',
  help: 'Nodes suspected dead by the health checks; their endpoints are answered only as a last resort.',
  registers: [registry],
  collect() {
    this.set(endpointStates().suspectNodes);
  },
});

// Plain increments per limited answer (a flood's every packet), copied in at scrape time.
export const rateLimitedCounts = { dropped: 0, slipped: 0 };
export const rateLimited = new Counter({
  name: 'minilb_dns_rate_limited_total',
  help: 'UDP responses over the -rrl-rate limit, by action: dropped, or slipped (sent truncated and empty).',
  labelNames: ['action'] as const,
  registers: [registry],
  collect() {
    this.reset();
    this.labels('dropped').inc(rateLimitedCounts.dropped);
    this.labels('slipped').inc(rateLimitedCounts.slipped);
  },
});

export const relayRefused = new Counter({
  name: 'minilb_upstream_refused_total',
  help: 'Queries for other names from clients outside -upstream-allow, answered REFUSED instead of relayed.',
  registers: [registry],
});

export const httpRejected = new Counter({
  name: 'minilb_http_rejected_total',
  help: 'HTTP requests answered at once without being served, by reason: busy (503, too many in flight), body (413), bad_request (malformed, oversized or slow head).',
  labelNames: ['reason'] as const,
  registers: [registry],
});
