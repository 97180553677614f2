// Memory and CPU of a process from /proc, the same way for Node and Go peers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Resident set size in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return kb / 1024;
}

/** The largest resident set the process has had (VmHWM). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kb / 1024;
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Samples CPU use of several processes over the same window; returns millicores per pid. */
export async function millicoresOver(pids: number[], windowMs: number, during?: () => Promise<unknown>): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  const t0 = process.hrtime.bigint();
  await Promise.all([during?.(), new Promise((r) => setTimeout(r, windowMs))]);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return pids.map((pid, i) => ((cpuSeconds(pid) - (before[i] ?? 0)) / elapsed) * 1000);
}

/** The main thread's time on a CPU and waiting on the run queue (runnable, not running), in
 *  seconds, from /proc/<pid>/schedstat: the wait says how much a figure owes to other load. */
export function schedSeconds(pid: number): { running: number; waiting: number } {
  const [running, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
  return { running: (running ?? NaN) / 1e9, waiting: (waiting ?? NaN) / 1e9 };
}
