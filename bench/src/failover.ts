// Failover as a client sees it: a client resolves the name every second through a cache that
// honours the TTL (as nscd, systemd-resolved or a JVM does) and connects to the addresses it
// gets. When a pod turns unready, how many seconds until the client's answer no longer holds
// it, so no new connection goes to it.
import { DnsProbeClient, TYPE_A } from './dns-client.js';
import { expectedAddresses, waitForAnswer, type ReadinessFixture } from './readiness.js';
import type { DnsServer } from './servers.js';

export interface FailoverResult {
  trials: number;
  /** Seconds per trial, per server. */
  seconds: Record<string, number[]>;
  /** The TTL each server answered with. */
  ttl: Record<string, number | undefined>;
}

const TICK_MS = 1000;
const GIVE_UP_MS = 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One simulated client; resolves with seconds from `flipAt()` until the IP left its answer. */
export async function client(
  port: number,
  name: string,
  ip: string,
  flipAt: () => number | undefined,
  ttls: Array<number | undefined>,
  giveUpMs = GIVE_UP_MS,
): Promise<number> {
  const dns = new DnsProbeClient(port);
  let cached: string[] = [];
  let expires = 0;
  try {
    // A random phase: clients do not resolve in step with the pod.
    await sleep(Math.random() * TICK_MS);
    const started = performance.now();
    while (performance.now() - started < giveUpMs) {
      const now = performance.now();
      if (now >= expires) {
        try {
          const a = await dns.query(name, TYPE_A, 1000);
          cached = a.addresses;
          ttls.push(a.minTtl);
          expires = now + (a.minTtl ?? 0) * 1000;
        } catch {
          // A lost query: the client keeps what it had, as a stub resolver's stale cache would.
        }
      }
      const flipped = flipAt();
      if (flipped !== undefined && !cached.includes(ip)) return (performance.now() - flipped) / 1000;
      await sleep(TICK_MS - ((performance.now() - started) % TICK_MS));
    }
    throw new Error(`a client of port ${port} still had ${ip} for ${name} after ${giveUpMs / 1000} s`);
  } finally {
    dns.close();
  }
}

export async function measureFailover(
  fixture: ReadinessFixture,
  servers: Array<{ server: DnsServer; name: string }>,
  trials: number,
  log: (l: string) => void,
): Promise<FailoverResult> {
  const result: FailoverResult = { trials, seconds: {}, ttl: {} };
  const ttls: Record<string, Array<number | undefined>> = {};
  for (const s of servers) {
    result.seconds[s.server.name] = [];
    ttls[s.server.name] = [];
  }
  for (let t = 0; t < trials; t++) {
    if (!fixture.ready) await fixture.setReady(true);
    await Promise.all(servers.map((s) => waitForAnswer(s.server.port, s.name, expectedAddresses(fixture, true))));
    let flippedAt: number | undefined;
    const clients = servers.map((s) => client(s.server.port, s.name, fixture.flippingIP, () => flippedAt, ttls[s.server.name]!));
    // Let the clients fill their caches, then flip at a random point of the TTL.
    await sleep(1500 + Math.random() * 5000);
    const t0 = performance.now();
    await fixture.setReady(false);
    flippedAt = t0;
    const seconds = await Promise.all(clients);
    seconds.forEach((s, k) => result.seconds[servers[k]!.server.name]!.push(s));
    log(`  trial ${t + 1}/${trials}: ${servers.map((s, k) => `${s.server.name} ${seconds[k]!.toFixed(1)} s`).join(', ')}`);
  }
  await fixture.setReady(true);
  for (const s of servers) {
    const seen = ttls[s.server.name]!.filter((x): x is number => x !== undefined);
    result.ttl[s.server.name] = seen.length ? Math.max(...seen) : undefined;
  }
  return result;
}
