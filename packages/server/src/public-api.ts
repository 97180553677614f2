// minilb-server's one public module: what the CLI, the benchmarks and the e2e tests use. Nothing
// else in the package is importable from outside (package.json exports only this).

import type { DnsServer, DnsServerOptions } from './dns/dns-server.js';
import type { Logger } from './log.js';

// Cluster objects and the record index: what a name resolves to, and why.
export * from './index/cluster-objects.js';
export { RecordIndex, hostAnnotation, excludeAnnotation, type HealthReport } from './index/record-index.js';
export type { Explanation, ChainStep, ServiceEndpoints } from './index/explanation.js';
export { claimOwner, describeClaim, type Claim, type ClaimKind } from './index/claims.js';
export { serviceProblems, type ServiceProblem } from './index/service-problems.js';
export { isInZone, normalizeName, parseHostname, serviceHostname, type ParsedHostname } from './index/hostnames.js';
export type { EndpointInfo, EndpointSet } from './index/endpoint-selection.js';

// Sources: manifest files; a live cluster through clusterAccess().
export { trimObject } from './sources/trim-object.js';
export { readManifests, readManifestsReport, ManifestError } from './sources/manifest-files.js';
export type { Rejection, RejectionReason } from './index/rejections.js';
export type { KubeClient, KubeApiError } from './sources/kubernetes/kube-client.js';

// The parts that load heavy dependencies come through loaders, so importing this module stays
// cheap for a CLI that may not need them.

// loadKubeConfig, KubeClient, KubeApiError, readClusterSnapshot: @kubernetes/client-node and undici.
export function clusterAccess(): Promise<typeof import('./sources/kubernetes/cluster-access.js')> {
  return import('./sources/kubernetes/cluster-access.js');
}

// The DNS server in process (tests, tools): prom-client for its metrics, pino for its log
// (silent unless `log` is given).
export async function startDnsServer(options: Omit<DnsServerOptions, 'log'> & { log?: Logger }): Promise<DnsServer> {
  const [{ startDnsServer: start }, { createLogger }] = await Promise.all([import('./dns/dns-server.js'), import('./log.js')]);
  return start({ ...options, log: options.log ?? createLogger('silent') });
}
export type { DnsServer, DnsServerOptions, Logger };

// podCIDR routes for the router, and the IP parsing they use.
export { desiredRoutes, type DesiredRoutes, type PodRoute, type RouteProblem } from './pod-cidr/pod-cidr-routes.js';
export { ipRouteAddLine, routerHintHeading } from './pod-cidr/router-hint.js';
export * from './net/ip-prefix.js';

// Zone transfers: the zones a secondary holds and the TSIG key file format (`minilb secondary`).
export { transferZoneNames } from './transfer/zone-snapshot.js';
export { parseTsigKeyFile, type TsigKey } from './transfer/tsig.js';

// Configuration as the server reads it.
export { parseListenAddress, parseUpstreamAddress, formatHostPort, type HostPort, type UpstreamAddress } from './config/host-port.js';
export { serverFlagNames } from './config/server-flags.js';
