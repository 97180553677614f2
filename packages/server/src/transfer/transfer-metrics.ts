// Zone transfer and NOTIFY counters, on the registry /metrics serves.

import { Counter } from 'prom-client';
import { registry } from '../metrics.js';

export const transferRequests = new Counter({
  name: 'minilb_zone_transfers_total',
  help: 'AXFR and IXFR requests, by type and result (full, differences, up-to-date, or why refused).',
  labelNames: ['type', 'result'] as const,
  registers: [registry],
});

export const notifyMessages = new Counter({
  name: 'minilb_notify_total',
  help: 'NOTIFY messages sent to secondaries, by result (acknowledged, retried, gave-up, bad-reply).',
  labelNames: ['result'] as const,
  registers: [registry],
});
