import { describe, expect, it } from 'vitest';
import { parseServerFlags } from './server-flags.js';

describe('server flags', () => {
  it('has the seed defaults', async () => {
    const config = await parseServerFlags([], {});
    expect(config).toMatchObject({
      domain: 'minilb',
      listen: { host: undefined, port: 53 },
      resyncMs: 300_000,
      ttl: 5,
      upstream: [],
      health: { host: undefined, port: 8080 },
      lbClass: 'minilb',
      leaderElect: true,
    });
  });

  it('accepts Go-style single-dash flags, GNU-style flags and MINILB_* variables', async () => {
    const config = await parseServerFlags(
      ['-domain=Lab.Example.', '-listen', '127.0.0.1:5353', '--ttl', '30', '-leader-elect=false', '-manifests', 'a.yaml', '-manifests=b.yaml'],
      { MINILB_UPSTREAM: '192.0.2.53:53,[2001:db8::53]:53', MINILB_PORT: 'tcp://10.96.0.10:53', MINILB_SERVICE_HOST: '10.96.0.10' },
    );
    expect(config).toMatchObject({
      domain: 'lab.example',
      listen: { host: '127.0.0.1', port: 5353 },
      ttl: 30,
      leaderElect: false,
      manifests: ['a.yaml', 'b.yaml'],
      upstream: ['192.0.2.53:53', '[2001:db8::53]:53'],
    });
  });

  it('takes Go durations for -resync', async () => {
    expect((await parseServerFlags(['-resync=5m'], {})).resyncMs).toBe(300_000);
    expect((await parseServerFlags(['-resync', '90'], {})).resyncMs).toBe(90_000);
  });

  it.each([
    [['-listen', 'localhost'], /^invalid -listen: "localhost" is not \[address\]:port/],
    [['-listen', ':99999'], /^invalid -listen: ":99999" is not \[address\]:port/],
    [['-ttl', 'five'], /^invalid -ttl: "five" is not a duration/],
    [['-resync', '-3'], /^invalid -resync/],
    [['-domain', 'bad_domain!'], /^invalid -domain/],
    [['-upstream', ':53'], /^invalid -upstream: ":53" is not an IP address/],
    [['-log-level', 'loud'], /log-level/],
    [['-no-such-flag'], /no-such-flag/],
  ])('stops on %j with one line naming the flag', async (argv, message) => {
    const failure = await parseServerFlags(argv, {}).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(message);
    expect((failure as Error).message).not.toContain('\n');
  });
});
