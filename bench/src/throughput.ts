// Answer throughput: dnsperf at full speed, then at 80% of that rate with per-reply latency,
// against each server with the same mix of questions.
import { dnsperf, type DnsperfResult } from './dnsperf.js';
import { DnsProbeClient, TYPE_A, TYPE_AAAA, type DnsAnswer } from './dns-client.js';
import type { DnsServer } from './servers.js';
import { waitFor } from '#e2e-harness';

export interface ThroughputResult {
  server: string;
  /** The best full-speed round: other work on a shared machine only ever lowers a round. */
  max: DnsperfResult;
  /** QPS of every full-speed round, in order. */
  rounds: number[];
  /** At 80% of this server's own best, with latencies. */
  at80: DnsperfResult;
  rate80: number;
}

export interface ThroughputOptions {
  /** Full-speed rounds per server, taken in turn so a burst of other work hits all alike. */
  rounds: number;
  roundSeconds: number;
  /** The 80% run, with per-reply latency. */
  latencySeconds: number;
  warmupSeconds: number;
  dir: string;
  log: (line: string) => void;
}

export interface ThroughputEntry {
  label: string;
  server: DnsServer;
  queryFile: string;
}

/** Every server in `entries` (all running, idle when not measured), measured round-robin. */
export async function compareThroughput(entries: ThroughputEntry[], o: ThroughputOptions): Promise<ThroughputResult[]> {
  for (const e of entries) await dnsperf({ port: e.server.port, queryFile: e.queryFile, seconds: o.warmupSeconds, dir: o.dir });
  const runs = new Map<string, DnsperfResult[]>(entries.map((e) => [e.label, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const e of entries) runs.get(e.label)!.push(await dnsperf({ port: e.server.port, queryFile: e.queryFile, seconds: o.roundSeconds, dir: o.dir }));
  }
  const out: ThroughputResult[] = [];
  for (const e of entries) {
    const rounds = runs.get(e.label)!;
    const max = rounds.reduce((best, x) => (x.qps > best.qps ? x : best));
    const rate80 = Math.round(max.qps * 0.8);
    const at80 = await dnsperf({ port: e.server.port, queryFile: e.queryFile, seconds: o.latencySeconds, dir: o.dir, maxQps: rate80, latencies: true });
    o.log(
      `  ${e.label}: ${Math.round(max.qps)} qps (rounds ${rounds.map((x) => Math.round(x.qps)).join(', ')}; lost ${max.lost}); ` +
        `at ${rate80} qps p50 ${at80.p50Ms?.toFixed(3)} ms, p99 ${at80.p99Ms?.toFixed(3)} ms, lost ${at80.lost}`,
    );
    out.push({ server: e.label, max, rounds: rounds.map((x) => x.qps), at80, rate80 });
  }
  return out;
}

export interface Question {
  name: string;
  type: 'A' | 'AAAA';
}

function describe(a: DnsAnswer): string {
  return `rcode ${a.rcode} [${a.addresses.join(' ')}]`;
}

/**
 * Before any figure: every server gives the same rcode and addresses for sample questions,
 * so the benchmark compares equal work. `questions` maps server name to its spelling of each.
 */
export async function checkSameAnswers(servers: Array<{ server: DnsServer; questions: Question[] }>): Promise<void> {
  const [first, ...rest] = servers;
  if (!first) return;
  const answersOf = async (s: DnsServer, qs: Question[]) => {
    const client = new DnsProbeClient(s.port);
    try {
      const out: DnsAnswer[] = [];
      for (const q of qs) out.push(await client.query(q.name, q.type === 'A' ? TYPE_A : TYPE_AAAA));
      return out;
    } finally {
      client.close();
    }
  };
  // A peer may still be loading its zone or syncing its watches: give it a few seconds.
  const reference = await answersOf(first.server, first.questions);
  for (const other of rest) {
    await waitFor(
      async () => {
        const got = await answersOf(other.server, other.questions);
        const diff = got.findIndex((a, i) => describe(a) !== describe(reference[i]!));
        if (diff < 0) return true;
        throw new Error(
          `${other.server.name} answers ${other.questions[diff]!.name} ${other.questions[diff]!.type} with ${describe(got[diff]!)}, ` +
            `${first.server.name} answers ${first.questions[diff]!.name} with ${describe(reference[diff]!)}`,
        );
      },
      { what: `${other.server.name} to give the same answers as ${first.server.name}`, timeoutMs: 20_000, intervalMs: 250 },
    );
  }
}
