// The built server as a user runs it: a real process on loopback with manifest files,
// queried with dig and over HTTP, edited on disk, and stopped with SIGTERM.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
// The bundle is what `npm start`, the bin and the image run.
const mainJs = join(root, 'packages/server/dist/bundle/minilb-server.mjs');
const demo = join(root, 'examples/demo-cluster.yaml');

interface Server {
  child: ChildProcess;
  dnsPort: number;
  healthPort: number;
  explainPort: number;
  output: () => string;
}

async function startServer(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [mainJs, '-listen', '127.0.0.1:0', '-health', '127.0.0.1:0', '-explain', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const line = output.split('\n').find((l) => l.includes('"minilb is serving"'));
    if (line) {
      const parsed = JSON.parse(line) as { dnsPort: number; healthPort: number; explainPort: number };
      return { child, dnsPort: parsed.dnsPort, healthPort: parsed.healthPort, explainPort: parsed.explainPort, output: () => output };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

async function dig(server: Server, ...args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(server.dnsPort), '+time=2', '+tries=1', ...args]);
  return stdout;
}

async function digShort(server: Server, ...args: string[]): Promise<string[]> {
  return (await dig(server, '+short', ...args)).split('\n').filter((l) => l !== '').sort();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await fn();
  }
  return value;
}

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('minilb-server on the demo cluster', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(['-manifests', demo]);
  });
  afterAll(() => {
    server?.child.kill('SIGKILL');
  });

  it('prints the routes for the router, one per podCIDR, next hop of the same family', () => {
    expect(server.output()).toContain('Add the following routes to your default gateway (router):');
    expect(server.output()).toContain('ip route add 10.244.1.0/24 via 192.0.2.32');
    expect(server.output()).toContain('ip route add fd00:10:244:1::/64 via 2001:db8:1::32');
  });

  it('answers the README examples with the demo pods', async () => {
    expect(await digShort(server, 'paperless.sko.ai')).toEqual(['10.244.0.15', '10.244.1.22']);
    expect(await digShort(server, 'internal-kubernetes-ingress.haproxy.minilb', 'AAAA')).toEqual(['fd00:10:244:1::16', 'fd00:10:244::f']);
    expect(await digShort(server, 'mqtt.example.com')).toEqual(['10.244.2.31']);
    expect(await digShort(server, 'grafana.apps.sko.ai')).toEqual(['10.244.0.40', '10.244.2.41']);
  });

  it('never answers a Service of another class: NXDOMAIN with the SOA', async () => {
    const answer = await dig(server, 'traefik.kube-system.minilb');
    expect(answer).toContain('status: NXDOMAIN');
    expect(answer).toMatch(/AUTHORITY SECTION:\nminilb\.\s+\d+\s+IN\s+SOA/);
  });

  it('serves health and metrics over HTTP, and explain on its own listener', async () => {
    const base = `http://127.0.0.1:${server.healthPort}`;
    const apiBase = `http://127.0.0.1:${server.explainPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/minilb_dns_queries_total\{[^}]*qtype="A"[^}]*\} \d+/);
    expect(metrics).toMatch(/minilb_records\{kind="Ingress"\} 1/);
    const explained = (await (await fetch(`${apiBase}/v1/explain?name=paperless.sko.ai`)).json()) as { chain: { claimedBy: { kind: string } }[] };
    expect(explained.chain.map((s) => s.claimedBy.kind)).toEqual(['Ingress', 'Service']);
    // The probe port tells nothing about pods and nodes (issue 10 finding 7).
    const probePort = await fetch(`${base}/v1/explain?name=paperless.sko.ai`);
    expect(probePort.status).toBe(404);
    expect(await probePort.text()).toMatch(/-explain listener/);
    // The event loop is measured at scrape time (no monitor timer).
    expect(metrics).toMatch(/^minilb_nodejs_eventloop_lag_seconds \d/m);
    expect(metrics).toMatch(/^minilb_nodejs_eventloop_utilization (0|1|0\.\d+)$/m);
    expect(metrics).toMatch(/^minilb_process_resident_memory_bytes \d+/m);
  });

  it('sleeps while idle: nothing wakes the process (a metrics timer did, 10 times a second)', async () => {
    // Context switches of all its threads per quiet second: each wake-up is at least one. V8's
    // memory reducer runs a few garbage collections some seconds after the last activity (a burst
    // of a second or two, then nothing), so the typical second is what counts: a periodic timer
    // shows in every one of them.
    const switches = async () => {
      let sum = 0;
      for (const task of await readdir(`/proc/${server.child.pid}/task`)) {
        const status = await readFile(`/proc/${server.child.pid}/task/${task}/status`, 'utf8').catch(() => '');
        for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) sum += Number(m[1]);
      }
      return sum;
    };
    await new Promise((r) => setTimeout(r, 500));
    const perSecond: number[] = [];
    let last = await switches();
    for (let second = 0; second < 8; second++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await switches();
      perSecond.push(now - last);
      last = now;
    }
    expect(median(perSecond), `context switches per second: ${perSecond}`).toBeLessThan(3);
  });
});

describe('manifest reloads', () => {
  let dir: string;
  let server: Server;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minilb-manifests-'));
    await copyFile(demo, join(dir, 'cluster.yaml'));
    server = await startServer(['-manifests', dir]);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up an edit without a restart, keeps the last good state on a broken file, and recovers', async () => {
    const file = join(dir, 'cluster.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('10.244.2.31', '10.244.2.32'));
    expect(await eventually(() => digShort(server, 'mqtt.sko.ai'), (a) => a[0] === '10.244.2.32')).toEqual(['10.244.2.32']);

    await writeFile(file, `${text}\n---\nkind: Service\nmetadata: {name: [broken\n`);
    await eventually(async () => server.output(), (o) => o.includes('cluster.yaml document'));
    expect(server.output()).toMatch(/cluster\.yaml document \d+: .*keeping its last good objects/);
    expect(await digShort(server, 'mqtt.sko.ai')).toEqual(['10.244.2.32']);

    await writeFile(join(dir, 'extra.yaml'), 'kind: Ingress\nmetadata: {name: extra, namespace: web}\nspec: {rules: [{host: extra.sko.ai}]}\nstatus: {loadBalancer: {ingress: [{ip: 192.0.2.77}]}}\n');
    expect(await eventually(() => digShort(server, 'extra.sko.ai'), (a) => a.length > 0)).toEqual(['192.0.2.77']);
    await rm(join(dir, 'extra.yaml'));
    expect(await eventually(() => dig(server, 'extra.sko.ai'), (a) => a.includes('REFUSED'))).toContain('status: REFUSED');
  });
});

describe('start and stop', () => {
  it('exits 0 soon after SIGTERM', async () => {
    const server = await startServer(['-manifests', demo]);
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await stopped(server.child)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a bad flag with one line naming it and exit status 2', async () => {
    const result = await run(process.execPath, [mainJs, '-listen', 'nowhere']).catch((err: { code: number; stderr: string }) => err);
    expect((result as { code: number }).code).toBe(2);
    expect((result as { stderr: string }).stderr.trim()).toMatch(/^minilb-server: invalid -listen: "nowhere" is not \[address\]:port/);
    expect((result as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to start on a broken manifest, naming the file and document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minilb-bad-'));
    await writeFile(join(dir, 'bad.yaml'), 'kind: Service\nmetadata: {name: ok}\n---\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: Carrier-Pigeon\n');
    const result = await run(process.execPath, [mainJs, '-manifests', dir, '-listen', '127.0.0.1:0', '-health', '', '-explain', '']).catch((err: { code: number; stderr: string }) => err);
    await rm(dir, { recursive: true, force: true });
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toMatch(/bad\.yaml document 2: EndpointSlice default\/s has addressType Carrier-Pigeon/);
  });
});
