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
      tcpIdleTimeoutMs: 10_000,
      tcpConnections: 1024,
      tcpConnectionsPerClient: 32,
      rrlRate: 20,
      rrlSlip: 2,
    });
    expect(config.upstreamAllow.contains('192.168.1.20')).toBe(true);
    expect(config.upstreamAllow.contains('fd00::1')).toBe(true);
    expect(config.upstreamAllow.contains('203.0.113.5')).toBe(false);
    expect(config.rrlExempt.contains('127.0.0.1')).toBe(true);
    expect(config.rrlExempt.contains('192.168.1.20')).toBe(false);
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
      upstream: [
        { host: '192.0.2.53', port: 53 },
        { host: '2001:db8::53', port: 53 },
      ],
    });
  });

  it('answers ns.<zone> at the -ns-address addresses, else at a specific -listen address', async () => {
    expect((await parseServerFlags(['-ns-address', '192.0.2.31', '-ns-address=2001:db8::31'], {})).nsAddresses).toEqual([
      '192.0.2.31',
      '2001:db8::31',
    ]);
    // The downward API's status.podIPs arrives as one comma-separated variable.
    expect((await parseServerFlags([], { MINILB_NS_ADDRESS: '10.244.1.7,fd00:10:244:1::7' })).nsAddresses).toEqual([
      '10.244.1.7',
      'fd00:10:244:1::7',
    ]);
    expect((await parseServerFlags(['-listen', '192.0.2.53:53'], {})).nsAddresses).toEqual(['192.0.2.53']);
    expect((await parseServerFlags(['-listen', '[::]:53'], {})).nsAddresses).toEqual([]);
    expect((await parseServerFlags([], {})).nsAddresses).toEqual([]);
  });

  it('has health checks off by default at 2 s / 1 s / fall 2 / rise 1, and takes them Go-style', async () => {
    expect((await parseServerFlags([], {})).healthCheck).toEqual({
      defaultMode: 'none',
      intervalMs: 2000,
      timeoutMs: 1000,
      fall: 2,
      rise: 1,
      maxConcurrent: 64,
      perSecond: 500,
    });
    const c = await parseServerFlags(['-health-check-default=tcp', '-health-check-interval', '500ms', '--health-check-fall=3'], { MINILB_HEALTH_CHECK_RATE: '50' });
    expect(c.healthCheck).toMatchObject({ defaultMode: 'tcp', intervalMs: 500, fall: 3, perSecond: 50 });
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
    [['-ns-address', 'ns1.example.com'], /^invalid -ns-address: "ns1.example.com" is not an IP address/],
    [['-no-such-flag'], /no-such-flag/],
    [['-health-check-default', 'http'], /health-check-default/],
    [['-health-check-interval', '0s'], /^invalid -health-check-interval: "0s" must be longer than 0/],
    [['-health-check-fall', '0'], /^invalid -health-check-fall: "0" is not a whole number from 1 to 100/],
    [['-health-check-rate', 'lots'], /^invalid -health-check-rate/],
    [['-tcp-connections', '0'], /^invalid -tcp-connections: "0" is not a whole number from 1/],
    [['-tcp-connections-per-client=many'], /^invalid -tcp-connections-per-client: "many" is not a whole number/],
    [['-tcp-idle-timeout', '0s'], /^invalid -tcp-idle-timeout: "0s" must be longer than 0/],
    [['-rrl-rate', '-1'], /rrl-rate/],
    [['-rrl-slip', '1000'], /^invalid -rrl-slip: "1000" is not a whole number from 0 to 100/],
    [['-rrl-exempt', '10.0.0.0/8,lan'], /^invalid -rrl-exempt: "lan" is not a network/],
    [['-upstream-allow', '192.168.1.0/33'], /^invalid -upstream-allow: "192.168.1.0\/33" is not a network/],
  ])('stops on %j with one line naming the flag', async (argv, message) => {
    const failure = await parseServerFlags(argv, {}).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(message);
    expect((failure as Error).message).not.toContain('\n');
  });
});
