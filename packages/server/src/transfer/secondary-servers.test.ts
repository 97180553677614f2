// Real secondaries of the built server, on loopback: Knot DNS with TSIG (AXFR, then IXFR driven by
// NOTIFY), BIND and Unbound without a key, each configured with what `minilb secondary` prints.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const serverJs = join(root, 'packages/server/dist/bundle/minilb-server.mjs');
const cliJs = join(root, 'packages/cli/dist/main.js');

const manifest = (webIps: string[]): string => `
kind: Service
metadata: {name: web, namespace: shop, annotations: {minilb/host: shop.example.org}}
spec: {type: LoadBalancer, loadBalancerClass: minilb, ports: [{name: http, port: 80, targetPort: 80, protocol: TCP}]}
---
kind: EndpointSlice
metadata: {name: web-v4, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints:
${webIps.map((ip) => `  - {addresses: ["${ip}"], conditions: {ready: true}}`).join('\n')}
---
kind: Node
metadata: {name: n1}
spec: {podCIDRs: [10.244.1.0/24]}
status: {addresses: [{type: InternalIP, address: 192.0.2.31}]}
`;

// A port free for both UDP and TCP on 127.0.0.1 (secondaries and minilb point at each other).
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const socket = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    socket.close();
    if (ok) return port;
  }
}

interface Process {
  child: ChildProcess;
  output: () => string;
}

function startProcess(command: string, args: string[]): Process {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}\n${output?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await fn();
  }
  return value;
}

async function digShort(port: number, name: string, type = 'A', extra: string[] = []): Promise<string[]> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=1', '+tries=1', '+short', ...extra, name, type]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((l) => l !== '' && !l.startsWith(';')).sort();
}

async function dig(port: number, args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return stdout;
}

async function soaSerial(port: number, zone: string): Promise<number> {
  const [line] = await digShort(port, zone, 'SOA');
  return Number(line?.split(' ')[2] ?? NaN);
}

function stop(process: Process | undefined): Promise<void> {
  if (!process || process.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    process.child.once('exit', () => resolve());
    process.child.kill('SIGTERM');
    setTimeout(() => process.child.kill('SIGKILL'), 3000).unref();
  });
}

async function startMinilb(port: number, args: string[]): Promise<Process> {
  const minilb = startProcess(process.execPath, [serverJs, '-listen', `127.0.0.1:${port}`, '-health', '', '-explain', '', ...args]);
  await waitFor('minilb to serve', async () => minilb.output(), (o) => o.includes('"minilb is serving"') || minilb.child.exitCode !== null);
  if (minilb.child.exitCode !== null) throw new Error(`minilb exited:\n${minilb.output()}`);
  return minilb;
}

async function secondaryStanza(format: string, minilbPort: number, manifestPath: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [cliJs, 'secondary', '--format', format, '--primary', `127.0.0.1:${minilbPort}`, '--manifests', manifestPath, ...extra]);
  return stdout;
}

describe('Knot DNS as a TSIG-signed secondary', () => {
  let dir: string;
  let manifestPath: string;
  let keyPath: string;
  let minilbPort: number;
  let knotPort: number;
  let minilb: Process | undefined;
  let knot: Process | undefined;
  let minilbFlags: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-knot-'));
    manifestPath = join(dir, 'cluster.yaml');
    keyPath = join(dir, 'transfer.key');
    await writeFile(manifestPath, manifest(['10.244.1.5', '10.244.1.6']));
    await writeFile(keyPath, execFileSync('tsig-keygen', ['-a', 'hmac-sha256', 'minilb-transfer'], { encoding: 'utf8' }));
    [minilbPort, knotPort] = [await freePort(), await freePort()];
    minilbFlags = ['-manifests', manifestPath, '-transfer-allow', '127.0.0.0/8', '-tsig-key', keyPath, '-notify', `127.0.0.1:${knotPort}`, '-soa-refresh', '3600s'];
    minilb = await startMinilb(minilbPort, minilbFlags);
    // The stanza a user adds to the router's Knot, below its own server and database sections.
    const config = [
      'server:',
      `    rundir: "${dir}"`,
      `    listen: 127.0.0.1@${knotPort}`,
      'database:',
      `    storage: "${dir}/knot"`,
      'log:',
      '  - target: stderr',
      '    any: info',
      // Zone files go to this test's folder, not the router default /var/lib/knot.
      (await secondaryStanza('knot', minilbPort, manifestPath, ['--tsig-key', keyPath])).replace('template:\n  - id: minilb\n', `template:\n  - id: minilb\n    storage: "${dir}/zones"\n`),
    ].join('\n');
    await writeFile(join(dir, 'knot.conf'), config);
    knot = startProcess('knotd', ['-c', join(dir, 'knot.conf')]);
    await waitFor('Knot to transfer the zone', () => digShort(knotPort, 'web.shop.minilb'), (a) => a.length === 2, 15_000, () => knot!.output());
  }, 40_000);

  afterAll(async () => {
    await Promise.all([stop(minilb), stop(knot)]);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every minilb zone by itself after the AXFR', async () => {
    expect(await digShort(knotPort, 'web.shop.minilb')).toEqual(['10.244.1.5', '10.244.1.6']);
    expect(await digShort(knotPort, 'shop.example.org')).toEqual(['10.244.1.5', '10.244.1.6']);
    expect(await digShort(knotPort, '_http._tcp.web.shop.minilb', 'SRV')).toEqual([
      '0 10 80 10-244-1-5.web.shop.minilb.',
      '0 10 80 10-244-1-6.web.shop.minilb.',
    ]);
    expect(await soaSerial(knotPort, 'minilb')).toBe(await soaSerial(minilbPort, 'minilb'));
    expect(minilb!.output(), minilb!.output()).toMatch(/"msg":"AXFR"/);
  });

  it('follows a change within 2 s by NOTIFY and IXFR, with its own refresh an hour away', async () => {
    await writeFile(manifestPath, manifest(['10.244.1.5', '10.244.1.7']));
    await waitFor('minilb to apply the edit', () => digShort(minilbPort, 'web.shop.minilb'), (a) => a.includes('10.244.1.7'), 10_000, minilb!.output);
    const changedAt = Date.now();
    await waitFor('Knot to follow', () => digShort(knotPort, 'web.shop.minilb'), (a) => a.join() === '10.244.1.5,10.244.1.7', 5_000, () => knot!.output());
    expect(Date.now() - changedAt).toBeLessThan(2_000);
    expect(minilb!.output()).toMatch(/"answer":"differences".*"msg":"IXFR"/);
    expect(knot!.output()).toMatch(/IXFR, incoming/);
  });

  it('refuses transfers without the key and rejects a wrong key with the RFC 8945 error', async () => {
    expect(await dig(minilbPort, ['minilb', 'AXFR'])).toMatch(/Transfer failed|REFUSED/);
    const stranger = execFileSync('tsig-keygen', ['-a', 'hmac-sha256', 'minilb-transfer'], { encoding: 'utf8' }).match(/secret "([^"]+)"/)![1];
    const wrong = await dig(minilbPort, ['-y', `hmac-sha256:minilb-transfer:${stranger}`, 'minilb', 'AXFR']);
    expect(wrong).toMatch(/NOTAUTH|tsig verify failure|BADSIG/i);
    const key = (await readFile(keyPath, 'utf8')).match(/secret "([^"]+)"/)![1];
    const signed = await dig(minilbPort, ['-y', `hmac-sha256:minilb-transfer:${key}`, 'minilb', 'AXFR']);
    expect(signed).toMatch(/web\.shop\.minilb\.\s+\d+\s+IN\s+A\s+10\.244\.1\.5/);
    expect(signed).not.toMatch(/tsig verify failure|Transfer failed/i);
  });

  it('keeps answering when minilb stops, and after a restart the serial has not gone backwards', async () => {
    const before = await soaSerial(knotPort, 'minilb');
    await stop(minilb);
    expect(await digShort(knotPort, 'web.shop.minilb')).toEqual(['10.244.1.5', '10.244.1.7']);
    minilb = await startMinilb(minilbPort, minilbFlags);
    expect(await soaSerial(minilbPort, 'minilb')).toBeGreaterThan(before);
    await writeFile(manifestPath, manifest(['10.244.1.8']));
    await waitFor('Knot to follow the restarted minilb', () => digShort(knotPort, 'web.shop.minilb'), (a) => a.join() === '10.244.1.8', 10_000, () => knot!.output());
  }, 30_000);
});

describe('BIND and Unbound as secondaries (allow list, no key)', () => {
  let dir: string;
  let manifestPath: string;
  let minilbPort: number;
  let bindPort: number;
  let unboundPort: number;
  let minilb: Process | undefined;
  let bind: Process | undefined;
  let unbound: Process | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-bind-'));
    manifestPath = join(dir, 'cluster.yaml');
    await writeFile(manifestPath, manifest(['10.244.1.5']));
    [minilbPort, bindPort, unboundPort] = [await freePort(), await freePort(), await freePort()];
    minilb = await startMinilb(minilbPort, [
      '-manifests', manifestPath, '-transfer-allow', '127.0.0.1/32', '-notify', `127.0.0.1:${bindPort},127.0.0.1:${unboundPort}`, '-soa-refresh', '3600s',
    ]);
    const bindStanza = await secondaryStanza('bind', minilbPort, manifestPath, ['--notify-from', '127.0.0.1']);
    await writeFile(
      join(dir, 'named.conf'),
      `options { directory "${dir}"; listen-on port ${bindPort} { 127.0.0.1; }; listen-on-v6 { none; }; pid-file "${dir}/named.pid"; recursion no; dnssec-validation no; };\n${bindStanza}`,
    );
    bind = startProcess('named', ['-g', '-c', join(dir, 'named.conf')]);
    const unboundStanza = await secondaryStanza('unbound', minilbPort, manifestPath, ['--notify-from', '127.0.0.1']);
    await writeFile(
      join(dir, 'unbound.conf'),
      [
        'server:',
        `    interface: 127.0.0.1@${unboundPort}`,
        `    port: ${unboundPort}`,
        '    do-daemonize: no',
        '    username: ""',
        '    chroot: ""',
        `    directory: "${dir}"`,
        '    pidfile: ""',
        '    use-syslog: no',
        '    do-ip6: no',
        '    access-control: 127.0.0.0/8 allow',
        unboundStanza,
      ].join('\n'),
    );
    unbound = startProcess('unbound', ['-d', '-c', join(dir, 'unbound.conf')]);
    await Promise.all([
      waitFor('BIND to transfer', () => digShort(bindPort, 'web.shop.minilb'), (a) => a.length === 1, 15_000, () => bind!.output()),
      waitFor('Unbound to transfer', () => digShort(unboundPort, 'web.shop.minilb'), (a) => a.length === 1, 15_000, () => unbound!.output()),
    ]);
  }, 40_000);

  afterAll(async () => {
    await Promise.all([stop(minilb), stop(bind), stop(unbound)]);
    await rm(dir, { recursive: true, force: true });
  });

  it('both transfer and answer the same names, and follow a change by NOTIFY', async () => {
    for (const port of [bindPort, unboundPort]) {
      expect(await digShort(port, 'web.shop.minilb')).toEqual(['10.244.1.5']);
      expect(await digShort(port, 'shop.example.org')).toEqual(['10.244.1.5']);
    }
    await writeFile(manifestPath, manifest(['10.244.1.9']));
    await waitFor('minilb to apply the edit', () => digShort(minilbPort, 'web.shop.minilb'), (a) => a.includes('10.244.1.9'), 10_000, minilb!.output);
    const changedAt = Date.now();
    await Promise.all([
      waitFor('BIND to follow', () => digShort(bindPort, 'web.shop.minilb'), (a) => a.join() === '10.244.1.9', 5_000, () => bind!.output()),
      waitFor('Unbound to follow', () => digShort(unboundPort, 'web.shop.minilb'), (a) => a.join() === '10.244.1.9', 5_000, () => unbound!.output()),
    ]);
    expect(Date.now() - changedAt).toBeLessThan(2_000);
  });

  it('refuses a transfer from a network that is not allowed', async () => {
    // 127.0.0.2 is loopback too, but outside -transfer-allow 127.0.0.1/32.
    const answer = await dig(minilbPort, ['-b', '127.0.0.2', 'minilb', 'AXFR']);
    expect(answer).toMatch(/Transfer failed|REFUSED/);
  });
});
