// The e2e fixture API: one import for scenarios.
export { startCluster, currentCluster, writeKubeconfig, SERVICE_CIDRS, CLUSTER_CIDRS, CONTROLLERS, type Cluster } from './cluster.js';
export {
  addressInCidr,
  applyYaml,
  createLoadBalancerService,
  createNamespace,
  createNode,
  createReadyPod,
  deletePod,
  endpointSlicesFor,
  finishPodDeletion,
  installGatewayApiCrds,
  isNotFound,
  kubeconfigForServiceAccount,
  minilbServiceAccountKubeconfig,
  nextPodIPs,
  parseYaml,
  setPodReady,
  waitForCrdsEstablished,
  waitForEndpointSlices,
  type ApplyOptions,
  type GatewayApiChannel,
  type LoadBalancerServiceOptions,
  type ReadyPodOptions,
  type ServiceAccountIdentity,
} from './kube.js';
export { startMinilb, minilbMain, type Minilb, type StartMinilbOptions } from './minilb.js';
export { startCoreDNS, type CoreDNS, type StartCoreDNSOptions } from './coredns.js';
export { dig, digAt, answersOf, parseDig, type DigRecord, type DigResult } from './dig.js';
export { metricValue, scrape } from './metrics.js';
export { ensurePeers, type Peers } from './peers.js';
export { helm, helmOk, type HelmResult } from './helm.js';
export { freePort, freePorts } from './ports.js';
export { ManagedProcess, startProcess, type ExitInfo, type SpawnOptions } from './process.js';
export { makeDir, runDir } from './run-dir.js';
export { repoRoot, cacheRoot } from './paths.js';
export { waitFor, sleep, type WaitOptions } from './wait.js';
export { adaptCorefile, type CorefileAdaptation } from './corefile.js';
export { dnsProbe } from './dns-probe.js';
