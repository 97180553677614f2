// The ssh transport's failures keep the exit-code contract (4) instead of becoming an
// "unexpected error": no ssh on PATH, and an ssh that hangs past --ssh-timeout. Real
// processes: a missing command, and an `ssh` that never finishes.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrimmedNode } from 'minilb-server';
import { CliError, exitCodes } from '../../exit-codes.js';
import { watchRoutes } from '../watch-routes.js';
import { sshRunner } from './ssh-session.js';

const dir = mkdtempSync(join(tmpdir(), 'minilb-ssh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hangingSsh = join(dir, 'ssh');
writeFileSync(hangingSsh, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
const target = { user: 'root', host: '198.51.100.49', port: undefined };

describe('ssh failures', () => {
  it('no ssh on PATH is exit 4 with what to install', async () => {
    const error = await sshRunner({ target, options: [], timeoutMs: 5000, sshCommand: join(dir, 'no-such-ssh') })('true').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(exitCodes.ssh);
    expect((error as CliError).message).toContain('the OpenSSH client is not installed or not on PATH');
  });

  it('an ssh that hangs past the timeout is ended, exit 4', async () => {
    const started = Date.now();
    const error = await sshRunner({ target, options: [], timeoutMs: 300, sshCommand: hangingSsh })('true').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(exitCodes.ssh);
    expect((error as CliError).message).toContain('did not finish within');
  });

  it('--watch backs off after an ssh timeout and keeps going', async () => {
    const node: TrimmedNode = {
      kind: 'Node',
      meta: { namespace: '', name: 'n1', creationTimestamp: '', annotations: {}, labels: {} },
      podCIDRs: ['10.244.1.0/24'],
      addresses: [{ type: 'InternalIP', address: '192.0.2.11' }],
    };
    const controller = new AbortController();
    const printed: string[] = [];
    let rounds = 0;
    const code = await watchRoutes({
      readNodes: async () => {
        if (++rounds === 3) controller.abort();
        return [node];
      },
      sync: {
        runner: sshRunner({ target, options: [], timeoutMs: 200, sshCommand: hangingSsh }),
        target: 'root@198.51.100.49',
        router: 'linux',
        config: { proto: 250, uciInterface: 'lan' },
        prune: true,
        allowEmpty: false,
        dryRun: false,
        verbose: false,
      },
      intervalMs: 10,
      maxBackoffMs: 50,
      signal: controller.signal,
      print: (l) => printed.push(l),
    });
    expect(code).toBe(exitCodes.ok);
    expect(rounds).toBe(3);
    expect(printed.some((l) => l.includes('did not finish within'))).toBe(true);
    expect(printed.some((l) => l.includes('retrying in'))).toBe(true);
  });
});
