// A legitimate client's QPS and p99 while one host on the LAN attacks minilb (TCP slowloris,
// an idle-connection flood and a UDP flood, each from its own process on 127.0.1.1), beside the
// same figures with no attack, same server, same run. The client (dnsperf on 127.0.0.1) is
// exempt from rate limiting as a LAN resolver in front would be given; the attacker is not.
// The attackers run on the client's core (another host's CPU is not the server's): the TCP ones
// niced, the UDP flood as a second dnsperf asked for a fixed rate, so the attack is a number
// the row states (what it reached is printed beside it) rather than whatever a Node loop manages.
import { startAttack } from '../../packages/server/testing/attack.js';
import { attackerAddress } from '../../packages/server/testing/attackers.js';
import { dnsperf, type DnsperfResult } from './dnsperf.js';
import { measureAttackCost, type AttackCost } from './attack-cost.js';
import { cpuSeconds, schedSeconds } from './proc-stats.js';
import { CLIENT_CPU, type DnsServer } from './servers.js';

export interface AttackWindow {
  maxQps: number;
  lostAtMax: number;
  rate: number; // the fixed rate p99 is measured at
  p50Ms: number;
  p99Ms: number;
  lostAtRate: number;
  // During the fixed-rate run: the server's CPU (all threads) and its DNS thread's time spent
  // runnable but waiting for the CPU, each as a share of the run's wall time.
  serverCpu: number;
  runQueueWait: number;
}

export interface UnderAttackResult {
  seconds: number;
  attack: string;
  quiet: AttackWindow;
  attacked: AttackWindow;
  attackSummaries: unknown[];
  flood: DnsperfResult & { rate: number };
  cost: AttackCost;
}

async function window(server: DnsServer, queryFile: string, seconds: number, dir: string, rate?: number): Promise<AttackWindow> {
  const max: DnsperfResult = await dnsperf({ port: server.port, queryFile, seconds, dir });
  const fixed = rate ?? Math.max(1000, Math.round(max.qps * 0.5));
  const [cpu0, sched0, t0] = [cpuSeconds(server.pid), schedSeconds(server.pid), performance.now()];
  const latency = await dnsperf({ port: server.port, queryFile, seconds, dir, maxQps: fixed, latencies: true });
  const wall = (performance.now() - t0) / 1000;
  const serverCpu = (cpuSeconds(server.pid) - cpu0) / wall;
  const runQueueWait = (schedSeconds(server.pid).waiting - sched0.waiting) / wall;
  return { maxQps: max.qps, lostAtMax: max.lost, rate: fixed, p50Ms: latency.p50Ms ?? NaN, p99Ms: latency.p99Ms ?? NaN, lostAtRate: latency.lost, serverCpu, runQueueWait };
}

// The flood's rate: twice the legitimate client's fixed rate in a full run, and about the QPS
// one minilb thread answers at all (what it costs the server is what the row shows).
const FLOOD_QPS = 40_000;

// `server` must run with `-rrl-exempt=127.0.0.1/32` (the client exempt, the attacker limited).
// `flood` is a query file holding the one question the UDP flood repeats.
export async function measureUnderAttack(server: DnsServer, o: { queryFile: string; flood: string; seconds: number; dir: string }): Promise<UnderAttackResult> {
  const cost = measureAttackCost(o.seconds * 100_000);
  const quiet = await window(server, o.queryFile, o.seconds, o.dir);
  const holdMs = (2 * o.seconds + 6) * 1000;
  const attacks = await Promise.all([
    startAttack({ kind: 'slowloris', port: server.port, count: 200, holdMs, intervalMs: 100 }, holdMs + 20_000, CLIENT_CPU),
    startAttack({ kind: 'idle', port: server.port, count: 300, holdMs }, holdMs + 20_000, CLIENT_CPU),
  ]);
  // Replies the rate limiter drops count as lost after 1 s; 60,000 outstanding covers that.
  const flooding = dnsperf({ port: server.port, queryFile: o.flood, seconds: 2 * o.seconds + 3, dir: o.dir, maxQps: FLOOD_QPS, clients: 1, outstanding: 60_000, timeoutSeconds: 1, edns: true, localAddress: attackerAddress });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const attacked = await window(server, o.queryFile, o.seconds, o.dir, quiet.rate);
  const attackSummaries = await Promise.all(attacks.map((a) => a.result.catch((e: Error) => ({ error: e.message }))));
  const flood = await flooding;
  return {
    seconds: o.seconds,
    attack: `from ${attackerAddress}: 200 slowloris TCP connections (a byte every 100 ms), 300 idle TCP connections, and a UDP flood of one EDNS query at ${FLOOD_QPS.toLocaleString('en-US')} queries/s (dnsperf)`,
    quiet,
    attacked,
    attackSummaries,
    flood: { ...flood, rate: FLOOD_QPS },
    cost,
  };
}

const percent = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '-');

export function renderUnderAttack(r: UnderAttackResult): string[] {
  const row = (label: string, w: AttackWindow) =>
    `| ${label} | ${Math.round(w.maxQps).toLocaleString('en-US')} | ${w.lostAtMax} | ${w.rate.toLocaleString('en-US')} | ${w.p50Ms.toFixed(2)} | ${w.p99Ms.toFixed(2)} | ${w.lostAtRate} | ${percent(w.serverCpu)} | ${percent(w.runQueueWait)} |`;
  const share = r.attacked.maxQps / r.quiet.maxQps;
  const f = r.flood;
  const floodLine =
    `The UDP flood sent ${Math.round(f.sent / f.seconds).toLocaleString('en-US')} queries/s (asked for ${f.rate.toLocaleString('en-US')}; ${f.sent.toLocaleString('en-US')} in ${f.seconds.toFixed(1)} s); ` +
    `${f.completed.toLocaleString('en-US')} got a reply (within its rate, or a truncated slip) and ${f.lost.toLocaleString('en-US')} got none (dropped by rate limiting, or by a full socket buffer) (${JSON.stringify(f.rcodes)}).`;
  return [
    '### A legitimate client while one host attacks',
    '',
    `dnsperf from 127.0.0.1 (exempt from rate limiting, as a LAN resolver would be), ${r.seconds} s as fast as minilb answers, then ${r.seconds} s at a fixed rate for latency; the attack ${r.attack}.`,
    '',
    '| | max QPS | lost | fixed rate | p50 ms | p99 ms | lost | server CPU | DNS thread waiting for a CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('no attack', r.quiet),
    row('under attack', r.attacked),
    '',
    floodLine,
    '',
    `What the query handler spends per packet (CPU time, no sockets, best of 4 rounds of ${r.cost.packets.toLocaleString('en-US')}): ${r.cost.floodUs.toFixed(2)} us for a rate-limited flood packet ` +
      `(${r.cost.floodReplies.toLocaleString('en-US')} of them slipped out as TC), ${r.cost.legitimateUs.toFixed(2)} us for a legitimate query answered from the cache. Receiving and sending a datagram cost Node a few microseconds more each.`,
    '',
    'The last two columns are over the fixed-rate run, as shares of its wall time (/proc/<pid>/stat and schedstat). Time the DNS thread spends runnable but off the CPU is other load on its core (the bench pins the server to one core, not everything else off it): a p99 with a large wait there is the machine\'s, not minilb\'s.',
    '',
    `Under attack the client keeps ${(share * 100).toFixed(0)}% of its QPS (target at least 80%) with p99 ${r.attacked.p99Ms.toFixed(2)} ms (target under 10 ms): ` +
      `${share >= 0.8 && r.attacked.p99Ms < 10 ? 'met' : '**not met**'}.`,
    '',
  ];
}
