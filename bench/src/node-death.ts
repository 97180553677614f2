// "Node dies": a node loses its network (its namespace's link goes down) and its kubelet stops
// heartbeating, as when it loses power. How many seconds until a client resolving every second
// (through a cache that honours the TTL) stops getting its pod, for minilb with health checks,
// minilb without (it waits for the node lifecycle controller: node-monitor-grace-period, then
// the pods marked not ready), and CoreDNS's kubernetes plugin, in the same run on one cluster.
import { clusterAccess } from 'minilb-server';
import {
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  setPodReady,
  startCluster,
  type Cluster,
} from '../../test/e2e/harness/index.js';
import { PodNetwork } from '../../test/e2e/health/pod-network.js';
import { CLUSTER_DOMAIN, DOMAIN } from './dataset.js';
import { DnsProbeClient, TYPE_A } from './dns-client.js';
import { client } from './failover.js';
import { waitForAnswer } from './readiness.js';
import { startCoreDNS, startMinilb, type DnsServer } from './servers.js';

export interface NodeDeathResult {
  trials: number;
  /** Seconds per trial from the node dying until the client's answer lost its pod, per server. */
  seconds: Record<string, number[]>;
  /** Seconds until the server's own answer lost the pod (a client with no cache). */
  answerSeconds: Record<string, number[]>;
  /** The node lifecycle controller's grace period the cluster runs with (its default). */
  gracePeriod: string;
}

export const WITH_CHECKS = 'minilb, health checks';
export const WITHOUT_CHECKS = 'minilb, no checks';
export const COREDNS = 'CoreDNS kubernetes';

const PORT = 8080;
const HEARTBEAT_MS = 5000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls a server every 100 ms until `ip` is gone from its answer; seconds since `t0`. */
async function answerGone(port: number, name: string, ip: string, t0: number, giveUpMs = 120_000): Promise<number> {
  const dns = new DnsProbeClient(port);
  try {
    while (performance.now() - t0 < giveUpMs) {
      const a = await dns.query(name, TYPE_A, 500).catch(() => undefined);
      if (a && !a.addresses.includes(ip)) return (performance.now() - t0) / 1000;
      await sleep(100);
    }
    throw new Error(`port ${port} still answered ${ip} for ${name} after ${giveUpMs / 1000} s`);
  } finally {
    dns.close();
  }
}

export async function measureNodeDeath(trials: number, log: (l: string) => void): Promise<NodeDeathResult> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const cluster: Cluster = await startCluster({ extraControllers: ['node-lifecycle-controller'] });
    stops.push(() => cluster.stop());
    const net = new PodNetwork(PORT);
    stops.push(() => net.destroy());
    const { KubeClient } = await clusterAccess();
    const kube = await KubeClient.create(cluster.kc);
    stops.push(() => kube.close());

    // The kubelets' heartbeats: the Ready condition's lastHeartbeatTime, every 5 s, for the live nodes.
    const alive = new Set(['steady', 'doomed']);
    const heartbeat = async (node: string) => {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await kube.json(`/api/v1/nodes/${node}/status`, {
        method: 'PATCH',
        contentType: 'application/strategic-merge-patch+json',
        body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench fixture', lastHeartbeatTime: now }] } },
      });
    };
    for (const [i, node] of ['steady', 'doomed'].entries()) {
      await createNode(node, [`192.0.2.${61 + i}`]);
      await net.addNode(node, i + 1, 1);
    }
    const beat = setInterval(() => {
      for (const node of alive) void heartbeat(node).catch((e: Error) => log(`  heartbeat ${node}: ${e.message}`));
    }, HEARTBEAT_MS);
    stops.push(async () => clearInterval(beat));

    const ns = 'death';
    await createNamespace(ns);
    const selector = { app: 'web' };
    const ports = [{ name: 'http', port: PORT, targetPort: PORT, protocol: 'TCP' }];
    await createLoadBalancerService(ns, 'web', { selector, ipFamilyPolicy: 'SingleStack', ports });
    await kube.json(`/api/v1/namespaces/${ns}/services`, {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-h', namespace: ns }, spec: { clusterIP: 'None', selector, ports: [{ name: 'http', port: PORT }] } },
    });
    const steadyIP = net.node('steady').podIPs[0]!;
    const doomedIP = net.node('doomed').podIPs[0]!;
    await createReadyPod(ns, 'web-steady', 'steady', selector, [steadyIP]);
    await createReadyPod(ns, 'web-doomed', 'doomed', selector, [doomedIP]);

    const kubeconfig = cluster.kubeconfigPath;
    const servers: Array<{ server: DnsServer; name: string }> = [];
    const track = <T extends DnsServer>(s: T) => {
      stops.push(() => s.stop());
      return s;
    };
    servers.push({ server: track(await startMinilb(WITH_CHECKS, ['-kubeconfig', kubeconfig, '-leader-elect=false', '-health-check-default=tcp'])), name: `web.${ns}.${DOMAIN}` });
    servers.push({ server: track(await startMinilb(WITHOUT_CHECKS, ['-kubeconfig', kubeconfig, '-leader-elect=false'])), name: `web.${ns}.${DOMAIN}` });
    const corefile = (port: number) => `${CLUSTER_DOMAIN}:${port} {\n    errors\n    kubernetes ${CLUSTER_DOMAIN} {\n        kubeconfig ${kubeconfig}\n    }\n}`;
    servers.push({ server: track(await startCoreDNS(COREDNS, corefile)), name: `web-h.${ns}.svc.${CLUSTER_DOMAIN}` });
    const both = [steadyIP, doomedIP].sort().join(' ');

    const result: NodeDeathResult = { trials, seconds: {}, answerSeconds: {}, gracePeriod: 'kube-controller-manager default (--node-monitor-grace-period)' };
    for (const s of servers) {
      result.seconds[s.server.name] = [];
      result.answerSeconds[s.server.name] = [];
    }
    for (let t = 0; t < trials; t++) {
      await Promise.all(servers.map((s) => waitForAnswer(s.server.port, s.name, both, 120_000)));
      let diedAt: number | undefined;
      const ttls: Array<number | undefined> = [];
      const clients = servers.map((s) => client(s.server.port, s.name, doomedIP, () => diedAt, ttls, 120_000));
      await sleep(1500 + Math.random() * 5000);
      const t0 = performance.now();
      // Power cut: no more packets, no more heartbeats.
      net.setLink('doomed', false);
      alive.delete('doomed');
      diedAt = t0;
      const [seconds, answers] = await Promise.all([
        Promise.all(clients),
        Promise.all(servers.map((s) => answerGone(s.server.port, s.name, doomedIP, t0))),
      ]);
      servers.forEach((s, k) => {
        result.seconds[s.server.name]!.push(seconds[k]!);
        result.answerSeconds[s.server.name]!.push(answers[k]!);
      });
      log(`  trial ${t + 1}/${trials}: ${servers.map((s, k) => `${s.server.name} ${seconds[k]!.toFixed(1)} s (answer ${answers[k]!.toFixed(1)} s)`).join(', ')}`);
      // The node comes back: link, heartbeats, and its kubelet reports the pod Ready again.
      net.setLink('doomed', true);
      alive.add('doomed');
      await heartbeat('doomed');
      await sleep(HEARTBEAT_MS);
      await setPodReady(ns, 'web-doomed', true);
    }
    return result;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
