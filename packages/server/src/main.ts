#!/usr/bin/env node
// minilb-server: wires flags, a source (manifest files or a live cluster), the record index,
// the DNS and HTTP front ends and, against a cluster, the leader-elected status controller.

import { FlagError, parseServerFlags, type ServerConfig } from './config/server-flags.js';
import { formatListenAddress } from './config/listen-address.js';
import { LeaderElector } from './controller/leader-election.js';
import { ServiceStatusController } from './controller/service-status.js';
import { startDnsServer } from './dns/dns-server.js';
import { startHttpServer } from './http/http-server.js';
import { RecordIndex } from './index/record-index.js';
import { createLogger, type Logger } from './log.js';
import { isLeader } from './metrics.js';
import { routerHint } from './routes/router-hint.js';
import { ManifestSource } from './sources/manifest-source.js';
import { KubeClient } from './sources/kubernetes/kube-client.js';
import { loadKubeConfig, ownNamespace } from './sources/kubernetes/kube-config.js';
import { KubernetesSource } from './sources/kubernetes/kubernetes-source.js';

interface Running {
  stop(): Promise<void>;
}

function printRouterHint(index: RecordIndex, log: Logger): void {
  const { lines, problems } = routerHint(index.list('Node'));
  for (const problem of problems) log.warn({ node: problem.node }, problem.message);
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

async function startSource(config: ServerConfig, index: RecordIndex, log: Logger) {
  if (config.manifests.length > 0) {
    const source = new ManifestSource({ paths: config.manifests, index, log });
    await source.start();
    return { source, client: undefined, namespace: undefined };
  }
  const { kc, from } = loadKubeConfig(config.kubeconfig);
  const client = await KubeClient.create(kc);
  log.info({ kubeconfig: from, server: client.serverUrl }, 'reading the cluster');
  const source = new KubernetesSource({
    client,
    index,
    log,
    resyncMs: config.resyncMs,
    idleTimeoutMs: config.watchIdleTimeoutMs,
  });
  await source.start();
  return { source, client, namespace: config.leaseNamespace ?? ownNamespace(kc) };
}

async function main(): Promise<Running> {
  const config = await parseServerFlags(process.argv.slice(2));
  const log = createLogger(config.logLevel);
  const index = new RecordIndex({ zone: config.domain, lbClass: config.lbClass });
  const { source, client, namespace } = await startSource(config, index, log);

  // HTTP first, so probes see 503 while the first sync runs; DNS only after it, so no client
  // ever gets (and caches) an NXDOMAIN from an index that is still filling.
  const http = config.health
    ? await startHttpServer({
        listen: config.health,
        index,
        log,
        healthy: () => (source.synced ? { ok: true, detail: 'ok' } : { ok: false, detail: `waiting for ${source.name} to sync` }),
      })
    : undefined;
  if (source instanceof KubernetesSource) await source.waitForSync();

  const dns = await startDnsServer({
    listen: formatListenAddress(config.listen),
    index,
    log,
    ttl: config.ttl,
    upstream: config.upstream,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
  });
  printRouterHint(index, log);
  const where = config.listen.host ?? '127.0.0.1';
  const someName = index.list('Service').find((s) => index.isEligible(s));
  const example = someName ? `${someName.meta.name}.${someName.meta.namespace}.${config.domain}` : `<service>.<namespace>.${config.domain}`;
  log.info(
    { dnsPort: dns.port, dns: formatListenAddress({ ...config.listen, port: dns.port }), healthPort: http?.port },
    'minilb is serving',
  );
  process.stdout.write(`Try: dig @${where} -p ${dns.port} ${example}\n`);

  let controller: ServiceStatusController | undefined;
  let elector: LeaderElector | undefined;
  if (client) {
    controller = new ServiceStatusController({ client, index, domain: config.domain, log });
    if (config.leaderElect) {
      elector = new LeaderElector({
        client,
        namespace: namespace!,
        name: config.leaseName,
        log,
        onStartedLeading: () => {
          isLeader.set(1);
          controller!.start();
        },
        onStoppedLeading: () => {
          isLeader.set(0);
          controller!.stop();
        },
      });
      elector.start();
    } else {
      isLeader.set(1);
      controller.start();
    }
  }

  return {
    async stop() {
      controller?.stop();
      await dns.close();
      await Promise.all([elector?.stop(), http?.close(), source.stop()]);
      await client?.close();
    },
  };
}

let running: Running | undefined;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Never hang a rollout: whatever is still open after 5 s is cut.
  setTimeout(() => process.exit(0), 4_500).unref();
  process.stderr.write(`${signal}: stopping\n`);
  await running?.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

main()
  .then((r) => {
    running = r;
    if (stopping) void r.stop();
  })
  .catch((err: Error) => {
    process.stderr.write(`minilb-server: ${err.message}\n`);
    process.exit(err instanceof FlagError ? 2 : 1);
  });
