// What minilb costs to keep running, as deployed (leader election on), on each Node version,
// beside CoreDNS's kubernetes plugin and a bare process of each Node version holding the same
// sockets (the floor): RSS settled and peak over a window, idle CPU, and the LIST calls the API
// server sees, idle and at two scales. Every server runs at once on its own fresh cluster.
import { clusterAccess, type KubeClient } from 'minilb-server';
import { createNode, installGatewayApiCrds, metricValue, sleep, startCluster, waitFor, type Cluster } from '#e2e-harness';
import type { ScaleSet } from './dataset.js';
import { BulkWriter } from './kube-bulk.js';
import { imageRuntime, nodeRuntimes } from './node-runtimes.js';
import { cpuSeconds, rssMiB } from './proc-stats.js';
import { createScaleSet, scaleProbes } from './scale.js';
import { startCoreDNS, startFootprintFloor, startMinilb, type DnsServer } from './servers.js';
import { DnsProbeClient, TYPE_A } from './dns-client.js';

export interface FootprintSample {
  /** Median RSS over the window (MiB). */
  settledMiB: number;
  /** Highest RSS sampled over the window (MiB), once a second. */
  peakMiB: number;
  millicores: number;
}

export interface FootprintStage {
  label: string;
  set: ScaleSet;
  windowSeconds: number;
  /** LIST requests the API server served during the window, per resource (all servers together). */
  lists: Record<string, number>;
  servers: Record<string, FootprintSample>;
}

export interface FootprintResult {
  /** The Dockerfile's Node major. */
  imageMajor: number;
  resyncSeconds: number;
  settleSeconds: number;
  servers: Array<{ name: string; kind: 'minilb' | 'floor' | 'coredns'; major?: number; image?: boolean }>;
  stages: FootprintStage[];
}

export interface FootprintStageSpec {
  label: string;
  set: ScaleSet;
  /** Stop every server, write the stage's objects, then start them again (a restart at that scale). */
  startAfterCreation?: boolean;
}

export interface FootprintOptions {
  stages: FootprintStageSpec[];
  windowSeconds: number;
  settleSeconds: number;
  resyncSeconds: number;
  corefile: (kubeconfig: string) => (port: number) => string;
  imageNodeArgs: string[];
  log: (line: string) => void;
}

const WATCHED = ['services', 'endpointslices', 'nodes', 'ingresses', 'gateways', 'httproutes', 'grpcroutes', 'tlsroutes'];

async function listCalls(admin: KubeClient): Promise<Record<string, number>> {
  const res = await admin.open('/metrics', { timeoutMs: 10_000 });
  const text = await res.body.text();
  return Object.fromEntries(WATCHED.map((resource) => [resource, metricValue(text, 'apiserver_request_total', { verb: 'LIST', resource })]));
}

async function answers(server: DnsServer, probes: Array<{ name: string; addresses: number }>): Promise<boolean> {
  const client = new DnsProbeClient(server.port);
  try {
    for (const p of probes) {
      const a = await client.query(p.name, TYPE_A, 2000);
      if (a.addresses.length !== p.addresses) throw new Error(`${p.name}: ${a.addresses.length} addresses (rcode ${a.rcode}), expected ${p.addresses}`);
    }
    return true;
  } finally {
    client.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

// Answering is not settled: after a restart at 10,000 Services every server still works through
// its 22,000 objects (status checks, GC) on the one core they share, and a window started then
// measured that work (6-9 m, RSS falling through the window). Wait until each uses under 50 m
// over 5 s, for at most 5 minutes.
async function untilQuiet(servers: DnsServer[], log: (line: string) => void): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const before = servers.map((s) => cpuSeconds(s.pid));
    await sleep(5000);
    const busy = servers.filter((s, i) => (cpuSeconds(s.pid) - before[i]!) / 5 > 0.05);
    if (busy.length === 0) return;
    if (performance.now() - t0 > 300_000) {
      log(`  still busy after 5 minutes: ${busy.map((s) => s.name).join(', ')}; measuring anyway`);
      return;
    }
  }
}

export async function measureFootprint(o: FootprintOptions): Promise<FootprintResult> {
  const { log } = o;
  const cluster: Cluster = await startCluster();
  const running: DnsServer[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of running.splice(0).reverse()) await s.stop().catch(() => undefined);
  };
  const admin = await (await clusterAccess()).KubeClient.create(cluster.kc);
  const writer = await BulkWriter.create(cluster);
  try {
    await installGatewayApiCrds('standard');
    await createNode('footprint-node', ['192.0.2.20']);
    const result: FootprintResult = { imageMajor: imageRuntime().major, resyncSeconds: o.resyncSeconds, settleSeconds: o.settleSeconds, servers: [], stages: [] };
    let minilbs: DnsServer[] = [];
    const startAll = async (): Promise<void> => {
      const servers: FootprintResult['servers'] = [];
      minilbs = [];
      for (const rt of nodeRuntimes(log, o.imageNodeArgs)) {
        const name = `minilb, ${rt.label}`;
        const lease = `bench-${rt.major}${rt.flags.length ? '-image' : ''}`;
        const m = await startMinilb(name, ['-kubeconfig', cluster.kubeconfigPath, '-resync', `${o.resyncSeconds}s`, '-lease-name', lease, '-lease-namespace', 'default'], {
          node: rt.binary,
          nodeArgs: rt.flags,
        });
        running.push(m);
        minilbs.push(m);
        servers.push({ name, kind: 'minilb', major: rt.major, image: rt.flags.length > 0 });
        if (rt.flags.length === 0) {
          const floorName = `floor, Node ${rt.major}`;
          const paths = ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices', '/api/v1/nodes', '/apis/networking.k8s.io/v1/ingresses',
            '/apis/gateway.networking.k8s.io/v1/gateways', '/apis/gateway.networking.k8s.io/v1/httproutes', '/apis/gateway.networking.k8s.io/v1/grpcroutes'];
          running.push(await startFootprintFloor(floorName, rt.binary, { server: cluster.server, ca: cluster.pki.ca.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key, paths }));
          servers.push({ name: floorName, kind: 'floor', major: rt.major });
        }
      }
      const coredns = await startCoreDNS('CoreDNS kubernetes', o.corefile(cluster.kubeconfigPath));
      running.push(coredns);
      servers.push({ name: coredns.name, kind: 'coredns' });
      result.servers = servers;
    };
    if (!o.stages[0]?.startAfterCreation) await startAll();

    for (const stage of o.stages) {
      // Thousands of objects written while eight processes on one core follow every event took
      // over 25 minutes (about 25 objects/s); written with no server running, about 200/s. Such a
      // stage measures the servers as they run after a restart at that scale.
      if (stage.startAfterCreation) await stopAll();
      const created = await createScaleSet(writer, stage.set);
      log(`  ${stage.label}: ${created.objects} objects written in ${created.seconds.toFixed(1)} s${stage.startAfterCreation ? ' (servers stopped)' : ''}`);
      if (running.length === 0) await startAll();
      const probes = scaleProbes(stage.set).filter((p, i) => i === 0 || (i === 1 ? stage.set.ingresses : stage.set.routes) > 0);
      for (const m of minilbs) await waitFor(() => answers(m, probes), { what: `${m.name} answering for ${stage.label}`, timeoutMs: 300_000, intervalMs: 500 });
      await untilQuiet(running, log);
      await sleep(o.settleSeconds * 1000);
      const samples = new Map(running.map((s) => [s.name, [] as number[]]));
      const cpu0 = new Map(running.map((s) => [s.name, cpuSeconds(s.pid)]));
      const lists0 = await listCalls(admin);
      const t0 = performance.now();
      while (performance.now() - t0 < o.windowSeconds * 1000) {
        for (const s of running) samples.get(s.name)!.push(rssMiB(s.pid));
        await sleep(1000);
      }
      const elapsed = (performance.now() - t0) / 1000;
      const lists1 = await listCalls(admin);
      const servers: Record<string, FootprintSample> = {};
      for (const s of running) {
        const v = samples.get(s.name)!;
        servers[s.name] = { settledMiB: median(v), peakMiB: Math.max(...v), millicores: ((cpuSeconds(s.pid) - cpu0.get(s.name)!) / elapsed) * 1000 };
      }
      const lists = Object.fromEntries(WATCHED.map((r) => [r, (lists1[r] ?? 0) - (lists0[r] ?? 0)]));
      result.stages.push({ label: stage.label, set: stage.set, windowSeconds: o.windowSeconds, lists, servers });
      log(
        `  ${stage.label}: ` +
          Object.entries(servers).map(([n, x]) => `${n} ${x.settledMiB.toFixed(1)}/${x.peakMiB.toFixed(1)} MiB ${x.millicores.toFixed(1)} m`).join('; ') +
          `; LIST calls ${Object.values(lists).reduce((a, b) => a + b, 0)}`,
      );
    }
    return result;
  } finally {
    await stopAll();
    await writer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
    await cluster.stop();
  }
}
