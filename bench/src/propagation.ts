// Propagation: after a pod's readiness flips, how long until each server's answer changes.
// The clock starts when the pod status write is sent; the same EndpointSlice controller event
// reaches both servers, so the difference between them is their own watch-to-answer path.
import { DnsProbeClient, TYPE_A } from './dns-client.js';
import { expectedAddresses, waitForAnswer, type ReadinessFixture } from './readiness.js';
import type { DnsServer } from './servers.js';

export interface PropagationResult {
  flips: number;
  /** Milliseconds per flip, per server; a flip not seen within the deadline counts as the deadline. */
  ms: Record<string, number[]>;
  missed: Record<string, number>;
  /** Milliseconds the status write itself took (API server round trip). */
  writeMs: number[];
}

const DEADLINE_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function timeUntil(client: DnsProbeClient, name: string, want: string, t0: number): Promise<number | undefined> {
  while (performance.now() - t0 < DEADLINE_MS) {
    try {
      const a = await client.query(name, TYPE_A, 250);
      if (a.addresses.join(' ') === want) return performance.now() - t0;
    } catch {
      // no reply this time: ask again
    }
    await sleep(1);
  }
  return undefined;
}

export async function measurePropagation(
  fixture: ReadinessFixture,
  servers: Array<{ server: DnsServer; name: string }>,
  flips: number,
  log: (l: string) => void,
): Promise<PropagationResult> {
  const result: PropagationResult = { flips, ms: {}, missed: {}, writeMs: [] };
  for (const s of servers) {
    result.ms[s.server.name] = [];
    result.missed[s.server.name] = 0;
  }
  // Start from a known state on every server.
  if (!fixture.ready) await fixture.setReady(true);
  await Promise.all(servers.map((s) => waitForAnswer(s.server.port, s.name, expectedAddresses(fixture, true))));
  const clients = servers.map((s) => new DnsProbeClient(s.server.port));
  try {
    for (let i = 0; i < flips; i++) {
      const next = !fixture.ready;
      const want = expectedAddresses(fixture, next);
      const t0 = performance.now();
      const write = fixture.setReady(next).then(() => result.writeMs.push(performance.now() - t0));
      const seen = await Promise.all(servers.map((s, k) => timeUntil(clients[k]!, s.name, want, t0)));
      await write;
      seen.forEach((ms, k) => {
        const name = servers[k]!.server.name;
        if (ms === undefined) result.missed[name]! += 1;
        result.ms[name]!.push(ms ?? DEADLINE_MS);
      });
      if ((i + 1) % 50 === 0) log(`  ${i + 1}/${flips} flips`);
      // A pause, so consecutive flips are separate events rather than one batch.
      await sleep(20 + Math.random() * 30);
    }
  } finally {
    for (const c of clients) c.close();
  }
  if (!fixture.ready) await fixture.setReady(true);
  return result;
}

export function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
