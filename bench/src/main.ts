// `npm run bench`: minilb beside CoreDNS and Knot, measured in the same run on this machine.
// Sections: answer throughput (zone-file peers, then the cluster peers), memory and time to
// sync at cluster scale, propagation of readiness flips, failover as a client sees it, and
// CPU. Fails (exit 1) only when something cannot run, never because of a figure.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  createNode,
  installGatewayApiCrds,
  makeDir,
  metricValue,
  repoRoot,
  scrape,
  sleep,
  startCluster,
  waitFor,
  type Cluster,
} from '../../test/e2e/harness/index.js';
import {
  CLUSTER_DOMAIN,
  DOMAIN,
  HOSTS_ZONE,
  QUERY_MIX,
  TTL,
  WILDCARD_SUFFIX,
  fqdn,
  queryFiles,
  throughputObjects,
  throughputSet,
  twinFqdn,
  zoneFiles,
  type ThroughputSet,
} from './dataset.js';
import { dnsperf } from './dnsperf.js';
import { measureFailover } from './failover.js';
import { measureNodeDeath } from './node-death.js';
import { measureProbeLoad } from './probe-load.js';
import { measureFootprint } from './footprint.js';
import { BulkWriter } from './kube-bulk.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { millicoresOver, peakRssMiB, rssMiB } from './proc-stats.js';
import { measurePropagation, type PropagationResult } from './propagation.js';
import { measureReload } from './reload.js';
import { createReadinessFixture, type ReadinessFixture } from './readiness.js';
import { FLOOR, renderReport, type Results } from './report.js';
import { createScaleSet, scaleProbes } from './scale.js';
import { CLIENT_CPU, SERVER_CPU, startCoreDNS, startDgramFloor, startKnot, startMinilb, useMinilbBundle, type DnsServer, type MinilbStart } from './servers.js';
import { imageRuntime, nodeBinary } from './node-runtimes.js';
import { checkSameAnswers, compareThroughput, type Question, type ThroughputOptions } from './throughput.js';
import { DnsProbeClient, TYPE_A } from './dns-client.js';
import { measureTransfer, writeZoneFile } from './transfer.js';
import { measureUnderAttack } from './under-attack.js';

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Questions of every kind in the mix, spelled for zone servers and for the kubernetes plugin. */
function sampleQuestions(set: ThroughputSet): { zone: Question[]; kube: Question[] } {
  const s0 = set.services[0]!;
  const sLast = set.services[set.services.length - 1]!;
  const ing = set.ingresses[set.ingresses.length - 1]!;
  const wild = set.services[set.wildcardService]!;
  return {
    zone: [
      { name: fqdn(s0), type: 'A' },
      { name: fqdn(s0), type: 'AAAA' },
      { name: fqdn(sLast), type: 'A' },
      { name: ing.host, type: 'A' },
      { name: `w7.${WILDCARD_SUFFIX}`, type: 'A' },
      { name: `nx-1.tp-1.${DOMAIN}`, type: 'A' },
    ],
    kube: [
      { name: twinFqdn(s0), type: 'A' },
      { name: twinFqdn(s0), type: 'AAAA' },
      { name: twinFqdn(sLast), type: 'A' },
      { name: twinFqdn(set.services[ing.service]!), type: 'A' },
      { name: twinFqdn(wild), type: 'A' },
      { name: `nx-1.tph-1.svc.${CLUSTER_DOMAIN}`, type: 'A' },
    ],
  };
}

/** CoreDNS as kubeadm configures it (minus forward/loop/reload, which need an upstream). */
function kubeadmCorefile(kubeconfig: string) {
  return (port: number) => `${CLUSTER_DOMAIN}:${port} in-addr.arpa:${port} ip6.arpa:${port} {
    errors
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    cache 30
    loadbalance
}`;
}

/** The kubernetes plugin alone: what it serves, without a cache in front. */
function pluginOnlyCorefile(kubeconfig: string) {
  return (port: number) => `${CLUSTER_DOMAIN}:${port} {
    errors
    kubernetes ${CLUSTER_DOMAIN} {
        kubeconfig ${kubeconfig}
        pods insecure
    }
}`;
}

async function minilbMemory(m: MinilbStart): Promise<{ rssMiB: number; heapMiB: number }> {
  const text = await scrape(`http://127.0.0.1:${m.httpPort}/metrics`);
  return { rssMiB: rssMiB(m.pid), heapMiB: metricValue(text, 'minilb_nodejs_heap_size_used_bytes') / 2 ** 20 };
}

async function corednsMemory(c: DnsServer): Promise<{ rssMiB: number }> {
  return { rssMiB: rssMiB(c.pid) };
}

async function expectAnswers(server: DnsServer, probes: Array<{ name: string; addresses: number }>): Promise<void> {
  const client = new DnsProbeClient(server.port);
  try {
    for (const p of probes) {
      const a = await client.query(p.name, TYPE_A, 2000);
      if (a.addresses.length !== p.addresses) {
        throw new Error(`${server.name} answers ${p.name} with ${a.addresses.length} addresses (rcode ${a.rcode}), expected ${p.addresses}`);
      }
    }
  } finally {
    client.close();
  }
}

class Runner {
  readonly results: Results;
  private readonly stops: Array<() => Promise<void>> = [];
  private cluster: Cluster | undefined;
  private readonly dir: string;
  private set!: ThroughputSet;
  private files!: { zoneQueries: string; kubeQueries: string; manifest: string; zones: Record<string, string> };

  constructor(private readonly o: BenchOptions) {
    this.dir = o.dataDir ?? makeDir('bench');
    this.results = {
      mode: o.quick ? 'quick' : 'full',
      command: `npm run bench${o.quick ? ' -- --quick' : ''}`,
      date: new Date().toISOString(),
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
      pinning: SERVER_CPU === undefined ? 'none (one CPU)' : `servers on CPU ${SERVER_CPU}, dnsperf on CPU ${CLIENT_CPU}`,
      settings: { rounds: o.rounds, roundSeconds: o.roundSeconds, latencySeconds: o.latencySeconds, settleSeconds: o.settleSeconds },
      errors: [],
    };
  }

  private track<T extends { stop(): Promise<void> }>(s: T): T {
    this.stops.push(() => s.stop());
    return s;
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => undefined);
    await this.cluster?.stop();
  }

  private async section(name: string, fn: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    log(`${name} ...`);
    try {
      await fn();
      log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      const msg = `${name}: ${(e as Error).stack ?? String(e)}`;
      this.results.errors.push(msg);
      log(`FAILED ${msg}`);
    }
  }

  prepareData(): void {
    const o = this.o;
    this.set = throughputSet(o.throughputServices, o.throughputIngresses, o.hotServices);
    const q = queryFiles(this.set, o.queryLines);
    const zones = zoneFiles(this.set);
    const objects = throughputObjects(this.set, { twins: false, manifest: true });
    const files = {
      zoneQueries: join(this.dir, 'queries-zone.txt'),
      kubeQueries: join(this.dir, 'queries-kubernetes.txt'),
      manifest: join(this.dir, 'throughput-set.yaml'),
      zones,
    };
    writeFileSync(files.zoneQueries, q.zone);
    writeFileSync(files.kubeQueries, q.kubernetes);
    writeFileSync(files.manifest, objects.map((x) => JSON.stringify(x)).join('\n---\n'));
    this.files = files;
    this.results.dataset = {
      services: this.set.services.length,
      ingresses: this.set.ingresses.length,
      hot: this.set.hot,
      queryLines: q.lines,
      mix: QUERY_MIX.map(([k, p]) => `${p}% ${k}`).join(', '),
    };
  }

  private tp(): ThroughputOptions {
    const o = this.o;
    return { rounds: o.rounds, roundSeconds: o.roundSeconds, latencySeconds: o.latencySeconds, warmupSeconds: o.warmupSeconds, dir: this.dir, log };
  }

  /** minilb from manifest files beside CoreDNS's file plugin and Knot, all on the server CPU. */
  async zoneThroughput(): Promise<void> {
    const q = sampleQuestions(this.set);
    const minilb = this.track(await startMinilb('minilb (manifests)', ['-manifests', this.files.manifest], { nodeArgs: this.o.minilbNodeArgs }));
    const file = this.track(
      await startCoreDNS(
        'CoreDNS file',
        (port) => `${DOMAIN}:${port} {\n    file ${DOMAIN}.zone\n}\n${HOSTS_ZONE}:${port} {\n    file ${HOSTS_ZONE}.zone\n}`,
        Object.fromEntries(Object.entries(this.files.zones).map(([z, text]) => [`${z}.zone`, text])),
      ),
    );
    const knot = this.track(await startKnot(this.files.zones));
    const floor = this.track(await startDgramFloor());
    // The image's Node too (issue 16), each beside a floor on that same Node.
    const image = imageRuntime();
    const imageNode = image.major === Number(process.versions.node.split('.')[0]) ? undefined : nodeBinary(image.major);
    if (!imageNode) log(`  the image's Node ${image.major} is not installed in .cache/node-${image.major} (or is this Node): measured on this Node only`);
    const onImage = imageNode
      ? {
          minilb: this.track(await startMinilb(`minilb (manifests, Node ${image.major})`, ['-manifests', this.files.manifest], { node: imageNode, nodeArgs: [...image.flags, ...this.o.minilbNodeArgs] })),
          floor: this.track(await startDgramFloor(imageNode)),
        }
      : undefined;
    await checkSameAnswers([minilb, file, knot, ...(onImage ? [onImage.minilb] : [])].map((server) => ({ server, questions: q.zone })));
    const results = await compareThroughput(
      [
        { label: 'minilb (manifests)', server: minilb, queryFile: this.files.zoneQueries },
        { label: 'CoreDNS file', server: file, queryFile: this.files.zoneQueries },
        { label: 'Knot (1 UDP worker)', server: knot, queryFile: this.files.zoneQueries },
        { label: FLOOR, server: floor, queryFile: this.files.zoneQueries },
        ...(onImage
          ? [
              { label: `minilb (manifests, Node ${image.major})`, server: onImage.minilb, queryFile: this.files.zoneQueries },
              { label: `${FLOOR} (Node ${image.major})`, server: onImage.floor, queryFile: this.files.zoneQueries },
            ]
          : []),
      ],
      this.tp(),
    );
    (this.results.throughput ??= []).push(...results);
    for (const s of [minilb, file, knot, floor, ...(onImage ? [onImage.minilb, onImage.floor] : [])]) await s.stop();
  }

  async clusterSections(): Promise<void> {
    const o = this.o;
    const cluster = (this.cluster = await startCluster());
    await installGatewayApiCrds('standard');
    const node = 'bench-node';
    await createNode(node, ['192.0.2.10']);
    const writer = await BulkWriter.create(cluster);
    this.stops.push(() => writer.close());

    // minilb and CoreDNS on the empty cluster: idle memory before any objects.
    const kubeconfig = cluster.kubeconfigPath;
    const mem = (this.results.memory ??= {});
    let minilb = this.track(await startMinilb('minilb (cluster)', ['-kubeconfig', kubeconfig, '-leader-elect=false'], { nodeArgs: o.minilbNodeArgs }));
    let coredns = this.track(await startCoreDNS('CoreDNS kubernetes', kubeadmCorefile(kubeconfig)));
    await sleep(o.settleSeconds * 1000);
    mem.emptyCluster = { minilb: await minilbMemory(minilb), coredns: await corednsMemory(coredns) };
    log(`  empty cluster: minilb ${mem.emptyCluster.minilb.rssMiB.toFixed(1)} MiB, CoreDNS ${mem.emptyCluster.coredns.rssMiB.toFixed(1)} MiB`);

    // The throughput set, twice: LoadBalancer Services for minilb, headless twins for CoreDNS.
    const namespaces = [...new Set(this.set.services.flatMap((s) => [s.namespace, s.twinNamespace]))];
    await writer.namespaces(namespaces);
    const created = await writer.createAll(throughputObjects(this.set, { twins: true }), 32);
    log(`  created ${created.count} objects in ${created.seconds.toFixed(1)} s`);
    const fixture = await createReadinessFixture(cluster, node);
    this.stops.push(() => fixture.close());
    const q = sampleQuestions(this.set);
    await checkSameAnswers([
      { server: minilb, questions: q.zone },
      { server: coredns, questions: q.kube },
    ]);
    await sleep(o.settleSeconds * 1000);
    mem.throughputSet = { minilb: await minilbMemory(minilb), coredns: await corednsMemory(coredns) };

    if (o.sections.has('cpu')) await this.section('cpu', () => this.cpu(minilb, coredns));
    if (o.sections.has('cluster')) {
      await this.section('cluster throughput', async () => {
        const results = await compareThroughput(
          [
            { label: 'minilb (cluster)', server: minilb, queryFile: this.files.zoneQueries },
            { label: 'CoreDNS kubernetes', server: coredns, queryFile: this.files.kubeQueries },
          ],
          this.tp(),
        );
        (this.results.throughput ??= []).push(...results);
      });
    }
    if (o.sections.has('propagation')) {
      await this.section('propagation', async () => {
        (this.results.propagation ??= {}).small = await this.propagation(fixture, minilb, kubeconfig);
      });
    }
    if (o.sections.has('failover')) {
      await this.section('failover', async () => {
        // CoreDNS's 30 s TTL makes each of its trials last half a minute: the quick run skips it.
        const servers: Array<{ server: DnsServer; name: string }> = [{ server: minilb, name: fixture.minilbName }];
        if (!o.quick) servers.push({ server: coredns, name: fixture.corednsName });
        this.results.failover = await measureFailover(fixture, servers, o.failoverTrials, log);
      });
    }
    if (o.sections.has('scale')) {
      await this.section('scale', async () => {
        // minilb and CoreDNS keep running while the objects arrive, as on a live cluster.
        const c = await createScaleSet(writer, o.scale);
        log(`  created ${c.objects} objects in ${c.seconds.toFixed(1)} s`);
        const probes = scaleProbes(o.scale);
        await waitFor(() => expectAnswers(minilb, probes).then(() => true), { what: 'minilb to answer for the scale set', timeoutMs: 120_000, intervalMs: 500 });
        await minilb.stop();
        await coredns.stop();
        // Restarted on the full cluster one at a time, so each start-up has the CPU to itself;
        // memory is read after the same settling time for both.
        minilb = this.track(await startMinilb('minilb (cluster)', ['-kubeconfig', kubeconfig, '-leader-elect=false'], { timeoutMs: 300_000, nodeArgs: o.minilbNodeArgs }));
        await expectAnswers(minilb, probes);
        await sleep(o.settleSeconds * 1000);
        const minilbMem = { ...(await minilbMemory(minilb)), peakRssMiB: peakRssMiB(minilb.pid), healthyAfterMs: minilb.healthyAfterMs };
        coredns = this.track(await startCoreDNS('CoreDNS kubernetes', kubeadmCorefile(kubeconfig), {}, { timeoutMs: 300_000 }));
        await sleep(o.settleSeconds * 1000);
        const corednsMem = { ...(await corednsMemory(coredns)), peakRssMiB: peakRssMiB(coredns.pid), readyAfterMs: coredns.readyAfterMs };
        this.results.scale = {
          ...o.scale,
          totalServices: o.scale.services + 2 * this.set.services.length + 2,
          objectsCreated: c.objects,
          createSeconds: c.seconds,
          settleSeconds: o.settleSeconds,
          minilb: minilbMem,
          coredns: corednsMem,
        };
        log(
          `  minilb ${minilbMem.rssMiB.toFixed(1)} MiB (peak ${minilbMem.peakRssMiB.toFixed(1)}), synced in ${(minilbMem.healthyAfterMs / 1000).toFixed(1)} s; ` +
            `CoreDNS ${corednsMem.rssMiB.toFixed(1)} MiB (peak ${corednsMem.peakRssMiB.toFixed(1)}), ready in ${(corednsMem.readyAfterMs / 1000).toFixed(1)} s`,
        );
        if (o.sections.has('propagation')) {
          await this.section('propagation at scale', async () => {
            (this.results.propagation ??= {}).scale = await this.propagation(fixture, minilb, kubeconfig);
          });
        }
      });
    }
  }

  async cpu(minilb: DnsServer, coredns: DnsServer): Promise<void> {
    const o = this.o;
    const windowMs = o.cpuSeconds * 1000;
    const [mIdle, cIdle] = await millicoresOver([minilb.pid, coredns.pid], windowMs);
    const atRate = async (server: DnsServer, queryFile: string) => {
      const load = dnsperf({ port: server.port, queryFile, seconds: o.cpuSeconds + 2, maxQps: 1000, dir: this.dir });
      await sleep(1000);
      const [m] = await millicoresOver([server.pid], windowMs);
      const r = await load;
      if (r.lost > 0) log(`  ${server.name} lost ${r.lost} queries at 1,000 qps`);
      return { millicores: m!, qps: r.qps, lost: r.lost };
    };
    const mLoad = await atRate(minilb, this.files.zoneQueries);
    const cLoad = await atRate(coredns, this.files.kubeQueries);
    this.results.cpu = {
      seconds: o.cpuSeconds,
      idle: { minilb: mIdle!, coredns: cIdle! },
      at1000: { minilb: mLoad, coredns: cLoad },
    };
    log(`  idle: minilb ${mIdle!.toFixed(1)} m, CoreDNS ${cIdle!.toFixed(1)} m; 1,000 qps: minilb ${mLoad.millicores.toFixed(0)} m, CoreDNS ${cLoad.millicores.toFixed(0)} m`);
  }

  /** A legitimate client's QPS and p99 with and without one attacking host (issue 10). */
  async underAttack(): Promise<void> {
    const minilb = this.track(await startMinilb('minilb (under attack)', ['-manifests', this.files.manifest, '-rrl-exempt=127.0.0.1/32'], { nodeArgs: this.o.minilbNodeArgs }));
    const flood = join(this.dir, 'flood-queries.txt');
    writeFileSync(flood, `${fqdn(this.set.services[0]!)} A\n`);
    this.results.underAttack = await measureUnderAttack(minilb, {
      queryFile: this.files.zoneQueries,
      flood,
      seconds: this.o.quick ? 3 : 8,
      dir: this.dir,
    });
    await minilb.stop();
    const { quiet, attacked } = this.results.underAttack;
    log(`  no attack: ${quiet.maxQps.toFixed(0)} qps, p99 ${quiet.p99Ms.toFixed(2)} ms; under attack: ${attacked.maxQps.toFixed(0)} qps, p99 ${attacked.p99Ms.toFixed(2)} ms`);
  }

  /** AXFR of a large minilb zone, then Knot's AXFR of the very same records. */
  async zoneTransfer(): Promise<void> {
    const services = this.o.scale.services;
    const set = throughputSet(services, 1, 1);
    const manifest = join(this.dir, 'transfer-set.yaml');
    writeFileSync(manifest, throughputObjects(set, { twins: false, manifest: true }).map((x) => JSON.stringify(x)).join('\n---\n'));
    const rounds = this.o.quick ? 1 : 3;
    const minilb = this.track(await startMinilb('minilb', ['-manifests', manifest, '-transfer-allow', '127.0.0.1/32'], { timeoutMs: 300_000 }));
    const ours = await measureTransfer(minilb, DOMAIN, rounds);
    await minilb.stop();
    const zoneFile = writeZoneFile(this.dir, DOMAIN, ours.records);
    const knot = this.track(await startKnot({ [DOMAIN]: readFileSync(zoneFile, 'utf8') }, { allowTransfer: true }));
    const theirs = await measureTransfer(knot, DOMAIN, rounds);
    await knot.stop();
    this.results.transfer = { services, endpointsPerService: set.services[0]!.v4.length + set.services[0]!.v6.length, runs: [ours.figures, theirs.figures] };
    for (const r of this.results.transfer.runs) {
      log(`  ${r.server}: ${r.records} records in ${r.seconds.toFixed(2)} s, RSS ${r.rssBeforeMiB.toFixed(0)} -> peak ${r.rssPeakMiB.toFixed(0)} MiB`);
    }
  }

  async propagation(fixture: ReadinessFixture, minilb: DnsServer, kubeconfig: string): Promise<PropagationResult> {
    const plugin = await startCoreDNS('CoreDNS kubernetes (no cache)', pluginOnlyCorefile(kubeconfig), {}, { timeoutMs: 300_000 });
    try {
      return await measurePropagation(
        fixture,
        [
          { server: minilb, name: fixture.minilbName },
          { server: plugin, name: fixture.corednsName },
        ],
        this.o.flips,
        log,
      );
    } finally {
      await plugin.stop();
    }
  }

  async run(): Promise<void> {
    const o = this.o;
    this.prepareData();
    if (o.sections.has('throughput')) await this.section('throughput (zone peers)', () => this.zoneThroughput());
    if (o.sections.has('reload')) {
      await this.section('reload', async () => {
        this.results.reload = await measureReload(
          (args) => startMinilb('minilb (reload)', args, { nodeArgs: o.minilbNodeArgs, timeoutMs: 180_000 }).then((m) => this.track(m)),
          this.dir,
          { services: 10_000, quietSeconds: o.quick ? 5 : 15, log },
        );
      });
    }
    if (o.sections.has('attack')) await this.section('under attack', () => this.underAttack());
    if (o.sections.has('transfer')) await this.section('zone transfer', () => this.zoneTransfer());
    const clusterSections = ['cluster', 'propagation', 'failover', 'cpu', 'scale'] as const;
    if (clusterSections.some((s) => o.sections.has(s))) await this.section('cluster', () => this.clusterSections());
    if (o.sections.has('probeload')) {
      await this.section('probe load', async () => {
        this.results.probeLoad = await measureProbeLoad(o.probeLoadSeconds, log);
      });
    }
    if (o.sections.has('nodedeath')) {
      // Its own cluster, with the node lifecycle controller and its real grace period; the shared
      // one goes first so the two do not compete for the CPU.
      await this.stopAll();
      await this.section('node dies', async () => {
        this.results.nodeDeath = await measureNodeDeath(o.nodeDeathTrials, log);
      });
    }
    if (o.sections.has('footprint')) {
      // Its own cluster, after the other one has stopped: the stages start from 5 Services.
      await this.stopAll();
      await this.section('footprint', async () => {
        this.results.footprint = await measureFootprint({
          stages: o.footprintStages,
          windowSeconds: o.footprintWindowSeconds,
          settleSeconds: o.settleSeconds,
          resyncSeconds: 20,
          corefile: kubeadmCorefile,
          imageNodeArgs: o.imageNodeArgs,
          log,
        });
      });
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  const t0 = performance.now();
  if (o.minilbBundle) useMinilbBundle(o.minilbBundle);
  const runner = new Runner(o);
  if (o.dataDir) {
    // For profiling by hand: the manifest, zone files and query files, and nothing else.
    mkdirSync(o.dataDir, { recursive: true });
    runner.prepareData();
    for (const [zone, text] of Object.entries(zoneFiles(throughputSet(o.throughputServices, o.throughputIngresses, o.hotServices)))) {
      writeFileSync(join(o.dataDir, `${zone}.zone`), text);
    }
    log(`wrote the throughput set, zone files and query files to ${o.dataDir}`);
    return 0;
  }
  // Ctrl-C: stop the peers we started, then exit (the harness's exit hook cleans the rest).
  process.once('SIGINT', () => {
    log('interrupted: stopping peers');
    void runner.stopAll().finally(() => process.exit(130));
  });
  try {
    await runner.run();
  } finally {
    await runner.stopAll();
  }
  const r = runner.results;
  r.totalSeconds = (performance.now() - t0) / 1000;
  r.ttl = TTL;
  const { markdown, json } = renderReport(r);
  process.stdout.write(`${markdown}\n`);
  if (o.outBase) {
    const base = join(repoRoot, o.outBase);
    mkdirSync(join(base, '..'), { recursive: true });
    writeFileSync(`${base}.md`, `${markdown}\n`);
    writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${o.outBase}.md and ${o.outBase}.json`);
  }
  if (r.errors.length > 0) {
    log(`${r.errors.length} section(s) could not run: see above. ${USAGE}`);
    return 1;
  }
  return 0;
}
