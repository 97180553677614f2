// A legitimate client's QPS and p99 while one host on the LAN attacks minilb (TCP slowloris,
// an idle-connection flood and a UDP flood, each from its own process on 127.0.1.1), beside the
// same figures with no attack, same server, same run. The client (dnsperf on 127.0.0.1) is
// exempt from rate limiting as a LAN resolver in front would be given; the attacker is not.
import { startAttack } from '../../packages/server/testing/attack.js';
import { dnsperf, type DnsperfResult } from './dnsperf.js';
import type { DnsServer } from './servers.js';

export interface AttackWindow {
  maxQps: number;
  lostAtMax: number;
  rate: number; // the fixed rate p99 is measured at
  p50Ms: number;
  p99Ms: number;
  lostAtRate: number;
}

export interface UnderAttackResult {
  seconds: number;
  attack: string;
  quiet: AttackWindow;
  attacked: AttackWindow;
  attackSummaries: unknown[];
}

async function window(server: DnsServer, queryFile: string, seconds: number, dir: string, rate?: number): Promise<AttackWindow> {
  const max: DnsperfResult = await dnsperf({ port: server.port, queryFile, seconds, dir });
  const fixed = rate ?? Math.max(1000, Math.round(max.qps * 0.5));
  const latency = await dnsperf({ port: server.port, queryFile, seconds, dir, maxQps: fixed, latencies: true });
  return { maxQps: max.qps, lostAtMax: max.lost, rate: fixed, p50Ms: latency.p50Ms ?? NaN, p99Ms: latency.p99Ms ?? NaN, lostAtRate: latency.lost };
}

// `server` must run with `-rrl-exempt=127.0.0.1/32` (the client exempt, the attacker limited).
export async function measureUnderAttack(server: DnsServer, o: { queryFile: string; flood: string; seconds: number; dir: string }): Promise<UnderAttackResult> {
  const quiet = await window(server, o.queryFile, o.seconds, o.dir);
  const holdMs = (2 * o.seconds + 6) * 1000;
  const attacks = await Promise.all([
    startAttack({ kind: 'slowloris', port: server.port, count: 200, holdMs, intervalMs: 100 }, holdMs + 20_000),
    startAttack({ kind: 'idle', port: server.port, count: 300, holdMs }, holdMs + 20_000),
    startAttack({ kind: 'udp', port: server.port, name: o.flood, type: 'A', edns: true, count: 40_000 * (2 * o.seconds + 4), perTick: 50 }, holdMs + 20_000),
  ]);
  const attacked = await window(server, o.queryFile, o.seconds, o.dir, quiet.rate);
  const attackSummaries = await Promise.all(attacks.map((a) => a.result.catch((e: Error) => ({ error: e.message }))));
  return {
    seconds: o.seconds,
    attack: 'from 127.0.1.1: 200 slowloris TCP connections (a byte every 100 ms), 300 idle TCP connections, a UDP flood of EDNS queries',
    quiet,
    attacked,
    attackSummaries,
  };
}

export function renderUnderAttack(r: UnderAttackResult): string[] {
  const row = (label: string, w: AttackWindow) =>
    `| ${label} | ${Math.round(w.maxQps).toLocaleString('en-US')} | ${w.lostAtMax} | ${w.rate.toLocaleString('en-US')} | ${w.p50Ms.toFixed(2)} | ${w.p99Ms.toFixed(2)} | ${w.lostAtRate} |`;
  const share = r.attacked.maxQps / r.quiet.maxQps;
  return [
    '### A legitimate client while one host attacks',
    '',
    `dnsperf from 127.0.0.1 (exempt from rate limiting, as a LAN resolver would be), ${r.seconds} s as fast as minilb answers, then ${r.seconds} s at a fixed rate for latency; the attack ${r.attack}.`,
    '',
    '| | max QPS | lost | fixed rate | p50 ms | p99 ms | lost |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('no attack', r.quiet),
    row('under attack', r.attacked),
    '',
    `Under attack the client keeps ${(share * 100).toFixed(0)}% of its QPS (target at least 80%) with p99 ${r.attacked.p99Ms.toFixed(2)} ms (target under 10 ms): ` +
      `${share >= 0.8 && r.attacked.p99Ms < 10 ? 'met' : '**not met**'}.`,
    '',
  ];
}
