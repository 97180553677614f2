// Per-query metrics with their label children bound once, so counting a query stays a map
// lookup instead of prom-client hashing a label object on every packet.

import { dnsAnswerSeconds, dnsMalformed, dnsQueries } from '../metrics.js';
import { rcodeLabel, typeLabel } from './protocol-numbers.js';
import type { Transport } from './responder.js';

type CounterChild = ReturnType<typeof dnsQueries.labels>;
type HistogramChild = ReturnType<typeof dnsAnswerSeconds.labels>;

const queryChildren = new Map<string, CounterChild>();
const latencyChildren = new Map<Transport, HistogramChild>();
const malformedChildren = new Map<Transport, ReturnType<typeof dnsMalformed.labels>>();

export function countAnswer(transport: Transport, qtype: number | undefined, rcode: number, startedAt: bigint): void {
  const type = qtype === undefined ? 'none' : typeLabel(qtype);
  const key = `${transport}/${type}/${rcode}`;
  let child = queryChildren.get(key);
  if (!child) {
    child = dnsQueries.labels(transport, type, rcodeLabel(rcode));
    queryChildren.set(key, child);
  }
  child.inc();
  let latency = latencyChildren.get(transport);
  if (!latency) {
    latency = dnsAnswerSeconds.labels(transport);
    latencyChildren.set(transport, latency);
  }
  latency.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
}

export function countMalformed(transport: Transport): void {
  let child = malformedChildren.get(transport);
  if (!child) {
    child = dnsMalformed.labels(transport);
    malformedChildren.set(transport, child);
  }
  child.inc();
}
