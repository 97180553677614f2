#!/usr/bin/env node
// minilb-server: wires flags, a source (manifest files or a live cluster), the record index,
// the DNS and HTTP front ends and, against a cluster, the leader-elected status controller.

import { FlagError, readServerCommandLine } from './config/server-flags.js';
import { formatHostPort } from './config/host-port.js';
import { startDnsServer } from './dns/dns-server.js';
import { startHttpServer } from './http/http-server.js';
import { serviceHostname } from './index/hostnames.js';
import { RecordIndex } from './index/record-index.js';
import { createLogger, type Logger } from './log.js';
import { reportEndpointStates, reportIndexStats } from './metrics.js';
import { Prober } from './health/prober.js';
import { containUncaughtErrors } from './process-guard.js';
import { routerHint } from './pod-cidr/router-hint.js';
import { RejectionLog } from './rejection-log.js';
import { createZoneTransfers } from './transfer/zone-transfers.js';

interface Running {
  // Lame duck (as CoreDNS's lameduck): /healthz says 503 at once so load balancers and
  // readiness stop sending, DNS keeps answering for -lameduck, then stop() lets in-flight
  // answers finish.
  lameDuckMs: number;
  enterLameDuck(): void;
  stop(): Promise<void>;
}

function printRouterHint(index: RecordIndex, log: Logger): void {
  const { lines, problems } = routerHint(index.list('Node'));
  for (const problem of problems) log.warn({ node: problem.node }, problem.message);
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<Running | undefined> {
  const commandLine = await readServerCommandLine(process.argv.slice(2));
  if (commandLine.kind === 'printed') return undefined;
  const config = commandLine.config;
  const log = createLogger(config.logLevel);
  const index = new RecordIndex({ zone: config.domain, lbClass: config.lbClass });
  reportIndexStats(() => index.stats());
  reportEndpointStates(() => index.endpointStates());
  const rejections = new RejectionLog(log);
  index.onProblems((key, problems) => rejections.replace(`object ${key}`, problems));
  // Each source loads only in its mode: the YAML parser is no cluster's memory, client-node no file's.
  const manifests =
    config.manifests.length > 0
      ? new (await import('./sources/manifest-source.js')).ManifestSource({ paths: config.manifests, index, log, rejections })
      : undefined;
  await manifests?.start();
  const cluster = manifests ? undefined : await (await import('./cluster-mode.js')).startClusterMode(config, index, log);
  const source = manifests ?? cluster!.source;

  // HTTP first, so probes see 503 while the first sync runs; DNS only after it, so no client
  // ever gets (and caches) an NXDOMAIN from an index that is still filling.
  let lameDuck = false;
  const healthy = () =>
    lameDuck
      ? { ok: false, detail: 'shutting down: still answering DNS during -lameduck' }
      : source.synced
        ? { ok: true, detail: 'ok' }
        : { ok: false, detail: `waiting for ${source.name} to sync` };
  const http = config.health ? await startHttpServer({ listen: config.health, index, log, healthy, serves: 'probes' }) : undefined;
  // The API names pods, nodes and endpoints: its own listener, loopback unless told otherwise.
  const api = config.explain ? await startHttpServer({ listen: config.explain, index, log, healthy, serves: 'api' }) : undefined;
  await cluster?.source.waitForSync();
  // Health checks feed the index as data; every replica probes for its own answers.
  const prober = new Prober({ index, settings: config.healthCheck, log });
  prober.start();
  const transfers = config.transfers
    ? createZoneTransfers({ config: config.transfers, index, ttl: config.ttl, negativeTtl: config.ttl, soaTimers: config.soaTimers, nameServerAddresses: config.nsAddresses, log })
    : undefined;
  await transfers?.start();

  const dns = await startDnsServer({
    listen: config.listen,
    index,
    log,
    ttl: config.ttl,
    upstream: config.upstream,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    nameServerAddresses: config.nsAddresses,
    cnameResolver: config.cnameResolver,
    tcpIdleTimeoutMs: config.tcpIdleTimeoutMs,
    maxTcpConnections: config.tcpConnections,
    maxTcpConnectionsPerClient: config.tcpConnectionsPerClient,
    rateLimit: { rate: config.rrlRate, slip: config.rrlSlip, exempt: config.rrlExempt },
    upstreamAllow: config.upstreamAllow,
    soaTimers: config.soaTimers,
    transfers: transfers?.service,
  });
  containUncaughtErrors(log);
  if (config.nsAddresses.length === 0) {
    log.warn(
      { nameServer: `ns.${config.domain}` },
      'the NS target has no address (-listen is a wildcard and -ns-address is not set): resolvers that prime the NS set (Unbound stub-prime, BIND stub zones) will fail; set -ns-address to the address clients reach minilb at',
    );
  }
  printRouterHint(index, log);
  const someService = index.list('Service').find((s) => index.isEligible(s));
  const example = someService
    ? serviceHostname(someService.meta.namespace, someService.meta.name, config.domain)
    : serviceHostname('<namespace>', '<service>', config.domain);
  log.info(
    { dnsPort: dns.port, dns: formatHostPort({ ...config.listen, port: dns.port }), healthPort: http?.port, explainPort: api?.port },
    'minilb is serving',
  );
  process.stdout.write(`Try: dig @${config.listen.host ?? '127.0.0.1'} -p ${dns.port} ${example}\n`);
  cluster?.startController();

  return {
    lameDuckMs: config.lameDuckMs,
    enterLameDuck() {
      lameDuck = true;
    },
    async stop() {
      prober.stop();
      await dns.close();
      transfers?.close();
      await Promise.all([cluster?.stop(), manifests?.stop(), http?.close(), api?.close()]);
    },
  };
}

let running: Running | undefined;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const lameDuckMs = running?.lameDuckMs ?? 0;
  // Never hang a rollout: whatever is still open 4.5 s after the lame duck is cut (the
  // manifests' terminationGracePeriodSeconds leaves room for both).
  setTimeout(() => process.exit(0), lameDuckMs + 4_500).unref();
  process.stderr.write(`${signal}: lame duck for ${lameDuckMs} ms (/healthz 503, DNS still answering), then stopping\n`);
  running?.enterLameDuck();
  if (lameDuckMs > 0) await new Promise((resolve) => setTimeout(resolve, lameDuckMs));
  await running?.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

main()
  .then((r) => {
    running = r;
    if (r && stopping) void r.stop();
  })
  .catch((err: Error) => {
    process.stderr.write(`minilb-server: ${err.message}\n`);
    process.exit(err instanceof FlagError ? 2 : 1);
  });
