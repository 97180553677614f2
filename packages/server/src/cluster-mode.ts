// Everything minilb runs against a live cluster: the watches, and the leader-elected Service
// status controller. Loaded only in that mode: client-node and undici are most of the
// server's memory, and -manifests needs neither.

import type { ServerConfig } from './config/server-flags.js';
import { LeaderElector } from './controller/leader-election.js';
import { ServiceStatusController } from './controller/service-status.js';
import type { RecordIndex } from './index/record-index.js';
import type { Logger } from './log.js';
import { isLeader } from './metrics.js';
import { KubeClient } from './sources/kubernetes/kube-client.js';
import { loadKubeConfig, ownNamespace } from './sources/kubernetes/kube-config.js';
import { KubernetesSource } from './sources/kubernetes/kubernetes-source.js';

export interface ClusterMode {
  source: KubernetesSource;
  // Starts the status controller (on the leader only, with -leader-elect).
  startController(): void;
  stop(): Promise<void>;
}

export async function startClusterMode(config: ServerConfig, index: RecordIndex, log: Logger): Promise<ClusterMode> {
  const { kc, from } = loadKubeConfig(config.kubeconfig);
  const client = await KubeClient.create(kc);
  log.info({ kubeconfig: from, server: client.serverUrl }, 'reading the cluster');
  const source = new KubernetesSource({ client, index, log, idleTimeoutMs: config.watchIdleTimeoutMs });
  await source.start();

  const controller = new ServiceStatusController({ client, index, domain: config.domain, log, resyncMs: config.resyncMs });
  let elector: LeaderElector | undefined;
  return {
    source,
    startController() {
      if (!config.leaderElect) {
        isLeader.set(1);
        controller.start();
        return;
      }
      elector = new LeaderElector({
        client,
        namespace: config.leaseNamespace ?? ownNamespace(kc),
        name: config.leaseName,
        log,
        onStartedLeading: () => {
          isLeader.set(1);
          controller.start();
        },
        onStoppedLeading: () => {
          isLeader.set(0);
          controller.stop();
        },
      });
      elector.start();
    },
    async stop() {
      controller.stop();
      await Promise.all([elector?.stop(), source.stop()]);
      await client.close();
    },
  };
}
