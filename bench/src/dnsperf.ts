// Runs Debian's dnsperf against one server and reads its figures; with `latencies`, runs it
// verbose (one line per reply with its latency) into a file and computes percentiles.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_CPU, pinned } from './servers.js';

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  seconds: number;
  rcodes: Record<string, number>;
  /** Milliseconds; only with `latencies`. */
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

export interface DnsperfOptions {
  port: number;
  queryFile: string;
  seconds: number;
  /** -Q: rate limit; none = as fast as the server answers. */
  maxQps?: number;
  /** Record per-reply latency (dnsperf -v) for percentiles. */
  latencies?: boolean;
  /** Folder for the verbose output. */
  dir: string;
  clients?: number;
  outstanding?: number;
  /** -a: send from this address (an attacker in another /24 than the client). */
  localAddress?: string;
  /** -e: queries carry an EDNS OPT. */
  edns?: boolean;
  /** -t: seconds before a query counts as lost (default 2). */
  timeoutSeconds?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function parseDnsperf(text: string): Omit<DnsperfResult, 'p50Ms' | 'p99Ms' | 'maxMs'> {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    if (!m) throw new Error(`dnsperf output lacks ${re}:\n${text.slice(-1500)}`);
    return Number(m[1]);
  };
  const rcodes: Record<string, number> = {};
  const line = /Response codes:\s+(.*)/.exec(text)?.[1] ?? '';
  for (const m of line.matchAll(/([A-Z]+) (\d+)/g)) rcodes[m[1]!] = Number(m[2]);
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    seconds: num(/Run time \(s\):\s+([\d.]+)/),
    rcodes,
  };
}

export async function dnsperf(o: DnsperfOptions): Promise<DnsperfResult> {
  const args = [
    '-s', '127.0.0.1',
    '-p', String(o.port),
    '-d', o.queryFile,
    '-l', String(o.seconds),
    '-c', String(o.clients ?? 4),
    '-q', String(o.outstanding ?? 200),
    '-t', String(o.timeoutSeconds ?? 2),
    ...(o.localAddress ? ['-a', o.localAddress] : []),
    ...(o.edns ? ['-e'] : []),
    ...(o.maxQps ? ['-Q', String(Math.round(o.maxQps))] : []),
    ...(o.latencies ? ['-v'] : []),
  ];
  const outPath = join(o.dir, `dnsperf-${o.port}-${o.localAddress ?? 'client'}-${Date.now()}.out`);
  const fd = openSync(outPath, 'w');
  const cmd = pinned(CLIENT_CPU, 'dnsperf', args);
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, { stdio: ['ignore', fd, 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => stderr.push(d));
    // dnsperf stops itself after -l seconds (plus the -t timeout for the last replies).
    const timer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 15) * 1000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`dnsperf could not run (${e.message}): apt-get install -y dnsperf`));
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  closeSync(fd);
  const text = readFileSync(outPath, 'utf8');
  if (code !== 0) throw new Error(`dnsperf ${args.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString().slice(-800)}`);
  const summary = parseDnsperf(text.slice(text.lastIndexOf('Statistics:')));
  const result: DnsperfResult = { ...summary };
  if (o.latencies) {
    // "> NOERROR name type 0.000123"; timeouts are "> T name type" and count as lost, not here.
    const values: number[] = [];
    for (const m of text.matchAll(/^> [A-Z]+ \S+ \S+ ([\d.]+)$/gm)) values.push(Number(m[1]) * 1000);
    const sorted = Float64Array.from(values).sort();
    result.p50Ms = percentile(sorted, 50);
    result.p99Ms = percentile(sorted, 99);
    result.maxMs = sorted[sorted.length - 1];
  }
  rmSync(outPath, { force: true });
  return result;
}
