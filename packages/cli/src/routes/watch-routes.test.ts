import { describe, expect, it } from 'vitest';
import type { TrimmedNode } from 'minilb-server';
import { CliError, exitCodes } from '../exit-codes.js';
import type { SshResult } from './router/ssh-session.js';
import { backoffMs, watchRoutes } from './watch-routes.js';

const node: TrimmedNode = {
  kind: 'Node',
  meta: { namespace: '', name: 'n1', creationTimestamp: '', annotations: {}, labels: {} },
  podCIDRs: ['10.244.1.0/24'],
  addresses: [{ type: 'InternalIP', address: '192.0.2.11' }],
};

// A Linux router that already has the route: every round reads it and finds nothing to do.
function inSyncRouter(): (script: string) => Promise<SshResult> {
  return async (script) => {
    const steps = [...script.matchAll(/^echo '@@minilb begin (\S+)'$/gm)].map((m) => m[1]!);
    const out = steps.map((name) => {
      let body = '';
      if (name === 'detect') body = 'linux\n';
      else if (name.endsWith('routes4')) body = '[{"dst":"10.244.1.0/24","gateway":"192.0.2.11","dev":"lan0","protocol":"250","flags":[]}]\n';
      else if (name.endsWith('routes6')) body = '[]\n';
      else if (name.includes('.linux.hop')) body = '[{"dst":"192.0.2.11","dev":"lan0","flags":[]}]\n';
      const ran = !name.includes('.openwrt.');
      return `@@minilb begin ${name}\n${ran ? body : ''}@@minilb end ${name} ${ran ? 0 : 'skipped'}\n`;
    });
    return { exitCode: 0, signal: null, stdout: `${out.join('')}@@minilb done\n`, stderr: '' };
  };
}

describe('--watch', () => {
  it('backs off by doubling from the interval, up to a ceiling', () => {
    expect([1, 2, 3, 4, 10, 40].map((f) => backoffMs(1000, f, 30_000))).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffMs(600_000, 1, 300_000)).toBe(600_000); // never shorter than the interval itself
  });

  it('prints a round that changes nothing once, retries failures with backoff, and stops when aborted', async () => {
    const controller = new AbortController();
    const printed: string[] = [];
    let rounds = 0;
    const code = await watchRoutes({
      readNodes: async () => {
        rounds++;
        if (rounds === 3) throw new CliError('cannot list nodes from https://192.0.2.5:6443: connect ECONNREFUSED', exitCodes.cluster);
        if (rounds === 5) controller.abort();
        return [node];
      },
      sync: {
        runner: inSyncRouter(),
        target: 'router',
        router: 'auto',
        config: { proto: 250, uciInterface: 'lan' },
        prune: true,
        allowEmpty: false,
        dryRun: false,
        verbose: false,
      },
      intervalMs: 1,
      maxBackoffMs: 5,
      signal: controller.signal,
      print: (l) => printed.push(l),
      now: () => new Date('2026-11-26T12:00:00Z'),
    });
    expect(code).toBe(exitCodes.ok);
    expect(rounds).toBe(5);
    const stamp = '2026-11-26T12:00:00.000Z';
    expect(printed).toEqual([
      // round 1
      `${stamp} Router router (linux; minilb owns routes with proto 250):`,
      `${stamp} Plan: 0 to add, 0 to change, 0 to remove, 1 in place.`,
      `${stamp} Nothing to change.`,
      // round 2 is the same and prints nothing; round 3 fails
      `${stamp} cannot list nodes from https://192.0.2.5:6443: connect ECONNREFUSED`,
      `${stamp} retrying in 0 s`,
      // round 4 recovers, which differs from round 3, so it prints again; round 5 is silent
      `${stamp} Router router (linux; minilb owns routes with proto 250):`,
      `${stamp} Plan: 0 to add, 0 to change, 0 to remove, 1 in place.`,
      `${stamp} Nothing to change.`,
    ]);
  });
});
