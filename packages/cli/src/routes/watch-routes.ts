// `minilb routes --watch`: keeps a router in sync as nodes come and go. Each round re-reads the
// cluster and the router (so a route lost to a link flap comes back too); failures back off,
// doubling up to a ceiling, and a round that changes nothing prints nothing new.

import { setTimeout as sleep } from 'node:timers/promises';
import type { TrimmedNode } from 'minilb-server';
import { CliError, exitCodes, type ExitCode } from '../exit-codes.js';
import { desiredRoutesWithWarnings } from './desired-routes.js';
import { syncRouter, type SyncOptions } from './router/sync-router.js';

export interface WatchOptions {
  readNodes: () => Promise<TrimmedNode[]>;
  sync: Omit<SyncOptions, 'out' | 'err' | 'confirm'>;
  intervalMs: number;
  maxBackoffMs: number;
  signal: AbortSignal;
  print: (line: string) => void;
  now?: () => Date;
}

export function backoffMs(intervalMs: number, failures: number, maxBackoffMs: number): number {
  return Math.min(intervalMs * 2 ** Math.min(failures, 20), Math.max(maxBackoffMs, intervalMs));
}

export async function watchRoutes(opts: WatchOptions): Promise<ExitCode> {
  const now = opts.now ?? (() => new Date());
  let failures = 0;
  let lastReport = '';
  while (!opts.signal.aborted) {
    const lines: string[] = [];
    let changed = false;
    try {
      const { routes } = desiredRoutesWithWarnings(await opts.readNodes(), (line) => lines.push(line));
      const result = await syncRouter(routes, {
        ...opts.sync,
        confirm: undefined,
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
      });
      changed = result.applied > 0 || result.exitCode === exitCodes.applyFailed;
      failures = result.exitCode === exitCodes.applyFailed ? failures + 1 : 0;
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      failures++;
      lines.push(`${err.message}`);
    }
    const delay = failures === 0 ? opts.intervalMs : backoffMs(opts.intervalMs, failures, opts.maxBackoffMs);
    if (failures > 0) lines.push(`retrying in ${Math.round(delay / 1000)} s`);
    const report = lines.join('\n');
    // Identical rounds (nothing to change, the same conflicts) are printed once, not every interval.
    if (changed || report !== lastReport) {
      const stamp = now().toISOString();
      for (const line of report.split('\n')) opts.print(`${stamp} ${line}`);
    }
    lastReport = report;
    try {
      await sleep(delay, undefined, { signal: opts.signal });
    } catch {
      break; // aborted: SIGINT or SIGTERM
    }
  }
  return exitCodes.ok;
}
