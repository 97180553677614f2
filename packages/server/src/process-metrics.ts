// prom-client's default process metrics (CPU, memory, heap spaces, file descriptors, GC,
// version) without its event-loop delay monitor, which is a timer waking the process;
// metrics.ts measures the event loop at scrape time instead. Its handle/request/resource
// modules are replaced by one gauge: their *_total gauges fail promtool's lint (a gauge must
// not end in _total).

import { Gauge, type Registry } from 'prom-client';
// Every module of prom-client's collectDefaultMetrics (lib/defaultMetrics.js) but eventLoopLag.
import gc from 'prom-client/lib/metrics/gc.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';

export function collectProcessMetrics(registry: Registry, prefix: string): void {
  const config = { prefix };
  for (const metric of [processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors]) {
    metric(registry, config);
  }
  for (const metric of [heapSizeAndUsed, heapSpacesSizeAndUsed, version, gc]) metric(registry, config);
  new Gauge({
    name: `${prefix}nodejs_active_resources`,
    help: 'Resources keeping the event loop alive (sockets, timers, ...), by type, at scrape time.',
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const [type, count] of counts) this.set({ type }, count);
    },
  });
}
