// The cost of health checks at 1,000 endpoints: one Service (from manifest files) with 1,000
// endpoints on loopback addresses, a real listener accepting them, and minilb with its default
// check settings and budget. Measured: probes started per second (minilb's counter), connections
// the listener accepted, and minilb's CPU and memory beside the same run
// without checks.
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDir, metricValue, scrape } from '../../test/e2e/harness/index.js';
import { millicoresOver, rssMiB } from './proc-stats.js';
import { startMinilb } from './servers.js';

export interface ProbeLoadResult {
  endpoints: number;
  seconds: number;
  budgetPerSecond: number;
  budgetConcurrent: number;
  probesPerSecond: number;
  acceptedPerSecond: number;
  up: number;
  withChecks: { millicores: number; rssMiB: number };
  withoutChecks: { millicores: number; rssMiB: number };
}

const ENDPOINTS = 1000;

function manifest(port: number, checked: boolean): string {
  const addresses = Array.from({ length: ENDPOINTS }, (_, i) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'big', namespace: 'load', annotations: { 'minilb/health-check': checked ? 'tcp' : 'none' } },
      spec: { type: 'LoadBalancer', loadBalancerClass: 'minilb', ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'big-1', namespace: 'load', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port, protocol: 'TCP' }],
      endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n---\n');
}

export async function measureProbeLoad(seconds: number, log: (l: string) => void): Promise<ProbeLoadResult> {
  const port = await freePort();
  let accepted = 0;
  const listener: Server = createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(port, '0.0.0.0', resolve));
  const dir = makeDir('bench-probe-load');
  try {
    const run = async (checked: boolean) => {
      const file = join(dir, `load-${checked}.yaml`);
      writeFileSync(file, manifest(port, checked));
      const minilb = await startMinilb(checked ? 'minilb, checks on' : 'minilb, checks off', ['-manifests', file]);
      try {
        // One interval to spread the first probes, then the window.
        await new Promise((r) => setTimeout(r, 3000));
        const before = metricValue(await scrape(`http://127.0.0.1:${minilb.httpPort}/metrics`), 'minilb_health_probes_total');
        const acceptedBefore = accepted;
        const [millicores] = await millicoresOver([minilb.pid], seconds * 1000);
        const text = await scrape(`http://127.0.0.1:${minilb.httpPort}/metrics`);
        const probes = metricValue(text, 'minilb_health_probes_total') - before;
        return {
          millicores: millicores!,
          rssMiB: rssMiB(minilb.pid),
          probesPerSecond: probes / seconds,
          acceptedPerSecond: (accepted - acceptedBefore) / seconds,
          up: metricValue(text, 'minilb_health_endpoints', { state: 'up' }),
        };
      } finally {
        await minilb.stop();
      }
    };
    const on = await run(true);
    const off = await run(false);
    log(
      `  ${ENDPOINTS} endpoints: ${on.probesPerSecond.toFixed(0)} probes/s (the listener accepted ${on.acceptedPerSecond.toFixed(0)}/s), ` +
        `${on.up} up; minilb ${on.millicores.toFixed(0)} m / ${on.rssMiB.toFixed(1)} MiB with checks, ${off.millicores.toFixed(0)} m / ${off.rssMiB.toFixed(1)} MiB without`,
    );
    return {
      endpoints: ENDPOINTS,
      seconds,
      budgetPerSecond: 500,
      budgetConcurrent: 64,
      probesPerSecond: on.probesPerSecond,
      acceptedPerSecond: on.acceptedPerSecond,
      up: on.up,
      withChecks: { millicores: on.millicores, rssMiB: on.rssMiB },
      withoutChecks: { millicores: off.millicores, rssMiB: off.rssMiB },
    };
  } finally {
    await new Promise<void>((r) => listener.close(() => r()));
  }
}
