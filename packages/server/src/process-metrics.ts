// prom-client's default process metrics (CPU, memory, heap spaces, file descriptors, GC,
// handles, version) without its event-loop delay monitor, which is a timer waking the process;
// metrics.ts measures the event loop at scrape time instead.

import type { Registry } from 'prom-client';
// Every module of prom-client's collectDefaultMetrics (lib/defaultMetrics.js) but eventLoopLag.
import gc from 'prom-client/lib/metrics/gc.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import version from 'prom-client/lib/metrics/version.js';

export function collectProcessMetrics(registry: Registry, prefix: string): void {
  const config = { prefix };
  for (const metric of [processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors]) {
    metric(registry, config);
  }
  if (typeof process.getActiveResourcesInfo === 'function') processResources(registry, config);
  for (const metric of [processHandles, processRequests, heapSizeAndUsed, heapSpacesSizeAndUsed, version, gc]) metric(registry, config);
}
