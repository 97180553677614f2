// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager,
// started from the pinned peer builds, with a throwaway PKI. There is no kubelet; the fixture
// helpers in kube.ts play its part.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:https';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensurePeers, type Peers } from './peers.js';
import { makePki, base64File, type ClusterPki } from './pki.js';
import { freePorts } from './ports.js';
import { describeExit, startProcess, type ManagedProcess } from './process.js';
import { keepRunFiles, makeDir } from './run-dir.js';
import { waitFor } from './wait.js';

export const SERVICE_CIDRS = '10.96.0.0/16,fd00:10:96::/112';
export const CLUSTER_CIDRS = '10.244.0.0/16,fd00:10:244::/56';
const NODE_CIDR_MASK_V4 = 24;
const NODE_CIDR_MASK_V6 = 64;

/**
 * The controllers of a real cluster that matter to minilb. Not the node lifecycle controller
 * (nodes without a kubelet would go NotReady and their pods be evicted) nor pod GC.
 */
export const CONTROLLERS = [
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'node-ipam-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'clusterrole-aggregation-controller',
  'root-ca-certificate-publisher-controller',
];

export interface Cluster {
  /** Admin kubeconfig (client certificate in system:masters). */
  kubeconfigPath: string;
  kc: KubeConfig;
  /** https://127.0.0.1:<port> */
  server: string;
  dataDir: string;
  pki: ClusterPki;
  peers: Peers;
  etcd: ManagedProcess;
  apiserver: ManagedProcess;
  controllerManager: ManagedProcess;
  ports: { etcdClient: number; etcdPeer: number; apiserver: number; controllerManager: number };
  /** Seconds each start-up phase took. */
  timings: Record<string, number>;
  /** Waits until /readyz answers 200 (after a restart, a pause). */
  waitReady(timeoutMs?: number): Promise<void>;
  /**
   * Restarts kube-controller-manager and waits until its /healthz says 200. After an API server
   * outage its watches back off for up to a minute (client-go's reflector backoff: 30 s with
   * jitter), so new namespaces get no default ServiceAccount and pods no slices for that long;
   * a restart catches up at once.
   */
  restartControllerManager(): Promise<void>;
  /** Stops every process and removes the data folder. Safe to call twice. */
  stop(): Promise<void>;
}

let active: Cluster | undefined;

/** The cluster the module-level helpers act on: the last one started and not stopped. */
export function currentCluster(): Cluster {
  if (!active) throw new Error('no e2e cluster is running: call startCluster() first (in beforeAll)');
  return active;
}

export function writeKubeconfig(
  path: string,
  server: string,
  caPath: string,
  user: { name: string; clientCert?: string; clientKey?: string; token?: string },
): void {
  const userEntry: Record<string, string> = {};
  if (user.clientCert && user.clientKey) {
    userEntry['client-certificate-data'] = base64File(user.clientCert);
    userEntry['client-key-data'] = base64File(user.clientKey);
  }
  if (user.token) userEntry.token = user.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': base64File(caPath) } }],
    users: [{ name: user.name, user: userEntry }],
    contexts: [{ name: user.name, context: { cluster: 'e2e', user: user.name, namespace: 'default' } }],
    'current-context': user.name,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

function httpsGet(url: string, pki: ClusterPki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(pki.ca.cert),
        cert: readFileSync(pki.admin.cert),
        key: readFileSync(pki.admin.key),
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** For the controller manager's self-signed serving certificate; /healthz needs no credentials. */
function httpsGetInsecure(url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(async (r) => ({ status: r.status, body: await r.text() }));
}

/** Fails fast with the peer's log when it exits while we wait for it. */
async function whileRunning<T>(procs: ManagedProcess[], wait: Promise<T>): Promise<T> {
  const died = procs.map((p) =>
    p.exited.then((info) => {
      throw new Error(`${p.name} exited during start-up (${describeExit(info)})\n${p.logTail()}`);
    }),
  );
  return Promise.race([wait, ...died]);
}

export interface StartClusterOptions {
  /**
   * More controllers, with their real default timings: `node-lifecycle-controller` marks a node
   * whose heartbeats stop NotReady (after node-monitor-grace-period) and its pods not ready; the
   * caller must then heartbeat every node it registers, as kubelets do.
   */
  extraControllers?: string[];
}

export async function startCluster(options: StartClusterOptions = {}): Promise<Cluster> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string, since: number) => (timings[phase] = Math.round((Date.now() - since) / 100) / 10);

  let t = Date.now();
  const peers = await ensurePeers();
  mark('peers', t);

  const dataDir = makeDir('cluster');
  t = Date.now();
  const [pki, [etcdClient, etcdPeer, apiserverPort, kcmPort]] = await Promise.all([
    makePki(join(dataDir, 'pki')),
    freePorts(4) as Promise<[number, number, number, number]>,
  ]);
  mark('pki', t);
  const server = `https://127.0.0.1:${apiserverPort}`;
  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    // Reverse start order: the controller manager and API server go before their storage.
    for (const p of [...started].reverse()) await p.stop();
  };

  try {
    t = Date.now();
    const etcd = startProcess({
      name: 'etcd',
      command: peers.etcd,
      dir: dataDir,
      args: [
        '--name=e2e',
        `--data-dir=${join(dataDir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster-state=new',
        // A throwaway cluster: durability buys nothing, fsync latency costs seconds.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    });
    started.push(etcd);
    await whileRunning(
      [etcd],
      waitFor(async () => (await httpGet(`http://127.0.0.1:${etcdClient}/health`)).body.includes('"health":"true"'), {
        what: 'etcd /health',
        timeoutMs: 20_000,
      }),
    );
    mark('etcd', t);

    t = Date.now();
    const apiserver = startProcess({
      name: 'kube-apiserver',
      command: peers.kubeApiserver,
      dir: dataDir,
      args: [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiserverPort}`,
        `--cert-dir=${join(dataDir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.apiserver.cert}`,
        `--tls-private-key-file=${pki.apiserver.key}`,
        `--client-ca-file=${pki.ca.cert}`,
        // Request-header authentication, as kubeadm configures it; the controller manager's
        // delegated authentication reads this CA from kube-system/extension-apiserver-authentication.
        `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
        `--proxy-client-key-file=${pki.frontProxyClient.key}`,
        '--authorization-mode=Node,RBAC',
        `--service-cluster-ip-range=${SERVICE_CIDRS}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--v=1',
      ],
    });
    started.push(apiserver);
    const readyz = async () => {
      const r = await httpsGet(`${server}/readyz`, pki);
      return r.status === 200;
    };
    await whileRunning([etcd, apiserver], waitFor(readyz, { what: 'kube-apiserver /readyz', timeoutMs: 60_000, intervalMs: 200 }));
    mark('apiserver', t);

    const kubeconfigPath = join(dataDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, server, pki.ca.cert, { name: 'admin', clientCert: pki.admin.cert, clientKey: pki.admin.key });
    const kcmKubeconfig = join(dataDir, 'controller-manager.kubeconfig');
    writeKubeconfig(kcmKubeconfig, server, pki.ca.cert, {
      name: 'system:kube-controller-manager',
      clientCert: pki.controllerManager.cert,
      clientKey: pki.controllerManager.key,
    });

    t = Date.now();
    const controllerManager = startProcess({
      name: 'kube-controller-manager',
      command: peers.kubeControllerManager,
      dir: dataDir,
      args: [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${join(dataDir, 'controller-manager-certs')}`,
        `--controllers=${[...CONTROLLERS, ...(options.extraControllers ?? [])].join(',')}`,
        '--allocate-node-cidrs=true',
        `--cluster-cidr=${CLUSTER_CIDRS}`,
        `--node-cidr-mask-size-ipv4=${NODE_CIDR_MASK_V4}`,
        `--node-cidr-mask-size-ipv6=${NODE_CIDR_MASK_V6}`,
        `--service-cluster-ip-range=${SERVICE_CIDRS}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        // As kubeadm does: each controller acts with its own ServiceAccount and RBAC role.
        '--use-service-account-credentials=true',
        '--leader-elect=false',
        '--v=1',
      ],
    });
    started.push(controllerManager);

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    await whileRunning(
      started,
      waitFor(() => core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(() => true), {
        what: 'the default ServiceAccount (kube-controller-manager running)',
        timeoutMs: 60_000,
        intervalMs: 200,
      }),
    );
    mark('controller-manager', t);
    timings.total = Math.round((Date.now() - t0) / 100) / 10;

    let stopped = false;
    const cluster: Cluster = {
      kubeconfigPath,
      kc,
      server,
      dataDir,
      pki,
      peers,
      etcd,
      apiserver,
      controllerManager,
      ports: { etcdClient, etcdPeer, apiserver: apiserverPort, controllerManager: kcmPort },
      timings,
      restartControllerManager: async () => {
        await controllerManager.restart();
        await whileRunning(
          [controllerManager],
          waitFor(async () => (await httpsGetInsecure(`https://127.0.0.1:${kcmPort}/healthz`)).status === 200, {
            what: 'kube-controller-manager /healthz',
            timeoutMs: 30_000,
            intervalMs: 200,
          }),
        );
      },
      waitReady: (timeoutMs = 60_000) => waitFor(readyz, { what: 'kube-apiserver /readyz', timeoutMs, intervalMs: 200 }).then(() => undefined),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        if (active === cluster) active = undefined;
        await stopAll();
        if (!keepRunFiles) rmSync(dataDir, { recursive: true, force: true });
      },
    };
    active = cluster;
    console.log(`[e2e] cluster ready at ${server} in ${timings.total}s ${JSON.stringify(timings)}`);
    return cluster;
  } catch (e) {
    await stopAll();
    if (!keepRunFiles) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
