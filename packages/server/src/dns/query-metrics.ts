// Per-query metrics in the shape CoreDNS users know (requests by proto/family/type, responses
// by rcode, duration and size histograms), plus the 0.1.0 names for one more release.
// A query costs one map lookup and a few array increments; prom-client's label hashing runs
// only at scrape time, when the families below are rendered from these plain counts.

import type { Registry } from 'prom-client';
import { registry } from '../metrics.js';
import { rcodeLabel, typeLabel } from './protocol-numbers.js';
import type { Transport } from './responder.js';

// Size buckets are CoreDNS's (plugin.SizeBuckets), so its dashboards read the same here; the
// duration ones start at 50 us, below CoreDNS's 250 us, because an answer from the index takes
// microseconds.
const DURATION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];
// The 0.1.0 names, kept one more release so existing alerts keep working (README "Metrics").
const LEGACY_DURATION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 2.5];

class Buckets {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
  add(other: Buckets): void {
    this.sum += other.sum;
    this.count += other.count;
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
  }
}

// One cell per (proto, family, type, rcode): at most 2 x 2 x 21 x 8, whatever clients send.
interface QueryCell {
  proto: Transport;
  family: '1' | '2';
  type: string;
  rcode: string;
  count: number;
  duration: Buckets;
  legacyDuration: Buckets;
  requestSize: Buckets;
  responseSize: Buckets;
}

// Cells by a small integer built from folded label indices: an array read per query, no string
// key. `cells` lists them in creation order for rendering.
const cells: QueryCell[] = [];
const cellSlots: Array<QueryCell | undefined> = [];
const malformed = new Map<Transport, number>();

const labelIndex = (labels: readonly string[]) => new Map(labels.map((label, i) => [label, i]));
const typeLabels: string[] = ['none', 'other'];
const rcodeLabels: string[] = ['other'];
const typeIndex = labelIndex(typeLabels);
const rcodeIndex = labelIndex(rcodeLabels);
const typeSlot = (qtype: number | undefined): number => {
  const label = qtype === undefined ? 'none' : typeLabel(qtype);
  let index = typeIndex.get(label);
  if (index === undefined) typeIndex.set(label, (index = typeLabels.push(label) - 1));
  return index;
};
const rcodeSlot = (rcode: number): number => {
  const label = rcodeLabel(rcode);
  let index = rcodeIndex.get(label);
  if (index === undefined) rcodeIndex.set(label, (index = rcodeLabels.push(label) - 1));
  return index;
};
// Query types and rcodes by number (0 = not looked up yet, else slot + 1), so a query does not
// format a label; unknown numbers fold into 'other' and share its slot, which keeps the table
// small whatever clients send. Index 65536 is "no question".
const typeSlots = new Uint8Array(65537);
const rcodeSlots = new Uint8Array(4096);

// The address family as CoreDNS labels it (1 IPv4, 2 IPv6); an IPv4 client on a dual-stack
// socket shows up as ::ffff:a.b.c.d and counts as IPv4.
export function addressFamily(client: string): '1' | '2' {
  if (!client.includes(':')) return '1';
  return client.startsWith('::ffff:') && client.includes('.') ? '1' : '2';
}

export interface AnsweredQuery {
  transport: Transport;
  client: string;
  qtype: number | undefined; // undefined: the question could not be read (FORMERR, NOTIMP)
  rcode: number;
  requestBytes: number;
  responseBytes: number;
  startedAt: number; // performance.now() when the packet arrived
}

export function countAnswer(query: AnsweredQuery): void {
  countReply(query.transport, query.client, query.qtype, query.rcode, query.requestBytes, query.responseBytes, query.startedAt);
}

// countAnswer without the object.
export function countReply(transport: Transport, client: string, qtype: number | undefined, rcode: number, requestBytes: number, responseBytes: number, startedAt: number): void {
  countReplyTook(transport, client, qtype, rcode, requestBytes, responseBytes, (performance.now() - startedAt) / 1000);
}

// The same with the duration already known, for the per-packet fast path.
export function countReplyTook(transport: Transport, client: string, qtype: number | undefined, rcode: number, requestBytes: number, responseBytes: number, seconds: number): void {
  const family = addressFamily(client);
  const typeAt = qtype ?? 65536;
  let type = typeSlots[typeAt]! - 1;
  if (type < 0) typeSlots[typeAt] = (type = typeSlot(qtype)) + 1;
  const codeAt = rcode & 0xfff;
  let code = rcodeSlots[codeAt]! - 1;
  if (code < 0) rcodeSlots[codeAt] = (code = rcodeSlot(rcode)) + 1;
  const slot = (((transport === 'udp' ? 0 : 2) + (family === '1' ? 0 : 1)) * 64 + type) * 64 + code;
  let cell = cellSlots[slot];
  if (!cell) {
    cell = {
      proto: transport,
      family,
      type: typeLabels[type]!,
      rcode: rcodeLabels[code]!,
      count: 0,
      duration: new Buckets(DURATION_BUCKETS),
      legacyDuration: new Buckets(LEGACY_DURATION_BUCKETS),
      requestSize: new Buckets(SIZE_BUCKETS),
      responseSize: new Buckets(SIZE_BUCKETS),
    };
    cellSlots[slot] = cell;
    cells.push(cell);
  }
  cell.count++;
  cell.duration.observe(seconds);
  cell.legacyDuration.observe(seconds);
  cell.requestSize.observe(requestBytes);
  cell.responseSize.observe(responseBytes);
}

export function countMalformed(transport: Transport): void {
  malformed.set(transport, (malformed.get(transport) ?? 0) + 1);
}

// --- rendering at scrape time ---------------------------------------------------------------

type Labels = Record<string, string>;
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}
interface Family {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

function sumBy(pick: (cell: QueryCell) => Labels): Map<string, { labels: Labels; value: number }> {
  const sums = new Map<string, { labels: Labels; value: number }>();
  for (const cell of cells) {
    const labels = pick(cell);
    const key = JSON.stringify(labels);
    const entry = sums.get(key) ?? { labels, value: 0 };
    entry.value += cell.count;
    sums.set(key, entry);
  }
  return sums;
}

function histogramBy(name: string, field: 'duration' | 'legacyDuration' | 'requestSize' | 'responseSize', pick: (cell: QueryCell) => Labels): MetricValue[] {
  const merged = new Map<string, { labels: Labels; buckets: Buckets }>();
  for (const cell of cells) {
    const labels = pick(cell);
    const key = JSON.stringify(labels);
    let entry = merged.get(key);
    if (!entry) {
      entry = { labels, buckets: new Buckets(cell[field].bounds) };
      merged.set(key, entry);
    }
    entry.buckets.add(cell[field]);
  }
  const values: MetricValue[] = [];
  for (const { labels, buckets } of merged.values()) {
    let cumulative = 0;
    buckets.bounds.forEach((bound, i) => {
      cumulative += buckets.counts[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: buckets.count });
    values.push({ metricName: `${name}_sum`, labels, value: buckets.sum });
    values.push({ metricName: `${name}_count`, labels, value: buckets.count });
  }
  return values;
}

function family(name: string, help: string, type: Family['type'], values: () => MetricValue[]) {
  return { name, help, type, aggregator: 'sum' as const, get: async (): Promise<Family> => ({ name, help, type, values: values(), aggregator: 'sum' }) };
}

const counterValues = (sums: Map<string, { labels: Labels; value: number }>): MetricValue[] => [...sums.values()];

function registerQueryMetrics(target: Registry): void {
  const families = [
    family('minilb_dns_requests_total', 'DNS requests answered, by protocol (udp, tcp), address family (1 IPv4, 2 IPv6) and query type.', 'counter', () =>
      counterValues(sumBy((c) => ({ proto: c.proto, family: c.family, type: c.type }))),
    ),
    family('minilb_dns_responses_total', 'DNS responses sent, by response code.', 'counter', () => counterValues(sumBy((c) => ({ rcode: c.rcode })))),
    family('minilb_dns_request_duration_seconds', 'Time from a query arriving to its answer being ready, by query type (cache hits are timed one in 16 and counted with the last timed duration).', 'histogram', () =>
      histogramBy('minilb_dns_request_duration_seconds', 'duration', (c) => ({ type: c.type })),
    ),
    family('minilb_dns_request_size_bytes', 'Size of the DNS requests answered, by protocol.', 'histogram', () =>
      histogramBy('minilb_dns_request_size_bytes', 'requestSize', (c) => ({ proto: c.proto })),
    ),
    family('minilb_dns_response_size_bytes', 'Size of the DNS responses sent, by protocol.', 'histogram', () =>
      histogramBy('minilb_dns_response_size_bytes', 'responseSize', (c) => ({ proto: c.proto })),
    ),
    family('minilb_dns_malformed_total', 'Packets that could not be parsed or were refused as malformed.', 'counter', () =>
      [...malformed].map(([transport, value]) => ({ labels: { transport }, value })),
    ),
    family(
      'minilb_dns_queries_total',
      'Deprecated 0.1.0 name, removed in the next release: use minilb_dns_requests_total and minilb_dns_responses_total. Queries answered, by transport, query type and response code.',
      'counter',
      () => counterValues(sumBy((c) => ({ transport: c.proto, qtype: c.type, rcode: c.rcode }))),
    ),
    family('minilb_dns_answer_seconds', 'Deprecated 0.1.0 name, removed in the next release: use minilb_dns_request_duration_seconds. Time from a query arriving to its answer.', 'histogram', () =>
      histogramBy('minilb_dns_answer_seconds', 'legacyDuration', (c) => ({ transport: c.proto })),
    ),
  ];
  // prom-client renders any object with a name and get(); these keep their counts themselves.
  for (const f of families) target.registerMetric(f as unknown as Parameters<Registry['registerMetric']>[0]);
}
registerQueryMetrics(registry);
