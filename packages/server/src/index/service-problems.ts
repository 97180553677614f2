// What is wrong with a minilb Service that its owner can fix, decided once for everything that
// reports it: /v1/explain and `minilb inspect`, the controller's Events, and `minilb doctor`.

import type { TrimmedService } from './cluster-objects.js';
import type { EndpointSet } from './endpoint-selection.js';

export type ServiceProblem =
  | { reason: 'PortMappingBypassed'; port: number; targetPort: number | string; message: string }
  | { reason: 'NoReadyEndpoints'; message: string }
  | { reason: 'TerminatingFallback'; message: string }
  | { reason: 'AllEndpointsDown'; message: string }
  | { reason: 'OnlyDrainedEndpoints'; message: string };

export function serviceProblems(service: TrimmedService, endpoints: EndpointSet | undefined): ServiceProblem[] {
  const problems: ServiceProblem[] = [];
  if (endpoints && endpoints.a.length === 0 && endpoints.aaaa.length === 0) {
    problems.push({ reason: 'NoReadyEndpoints', message: 'no ready endpoints: the name answers with no addresses (NODATA)' });
  } else if (endpoints?.fallback) {
    problems.push({ reason: 'TerminatingFallback', message: 'no ready endpoints: answering serving-but-terminating ones' });
  }
  if (endpoints?.failOpen) {
    problems.push({
      reason: 'AllEndpointsDown',
      message: 'every endpoint failed its health check (minilb/health-check): answering all of them (fail open)',
    });
  } else if (endpoints?.demotedOnly) {
    problems.push({
      reason: 'OnlyDrainedEndpoints',
      message: 'every usable endpoint is on a cordoned, tainted or suspect node: answering those until pods run elsewhere',
    });
  }
  for (const { port, targetPort } of service.ports) {
    // minilb answers pod IPs, so clients bypass the Service's port -> targetPort mapping.
    if (targetPort === undefined || String(targetPort) === String(port)) continue;
    problems.push({
      reason: 'PortMappingBypassed',
      port,
      targetPort,
      message: `port ${port} maps to targetPort ${targetPort}, but minilb clients connect to the pods directly on ${port}`,
    });
  }
  return problems;
}
