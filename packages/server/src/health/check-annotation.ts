// Which Services are health-checked, and on which port: the minilb/health-check annotation
// ("tcp", "tcp:<port>", "none") over the server's default (-health-check-default).

import type { TrimmedService } from '../index/cluster-objects.js';

export const healthCheckAnnotation = 'minilb/health-check';

export type CheckMode = 'none' | 'tcp';

export type CheckPlan = { port: number } | { port: undefined; reason: string };

export function checkPlan(service: TrimmedService, defaultMode: CheckMode): CheckPlan {
  const raw = service.meta.annotations[healthCheckAnnotation]?.trim().toLowerCase();
  const mode = raw === undefined || raw === '' ? defaultMode : raw;
  if (mode === 'none') return { port: undefined, reason: 'health checks off' };
  // UDP-only Services are never probed: a TCP connect says nothing about a UDP listener.
  const tcpPort = service.ports.find((p) => p.protocol === 'TCP')?.port;
  if (!tcpPort) return { port: undefined, reason: 'no TCP port: UDP-only Services are not health-checked' };
  if (mode === 'tcp') return { port: tcpPort };
  const explicit = /^tcp:(\d{1,5})$/.exec(mode);
  const port = explicit ? Number(explicit[1]) : NaN;
  if (port >= 1 && port <= 65535) return { port };
  return { port: undefined, reason: `${healthCheckAnnotation}: "${raw}" is not tcp, tcp:<port> or none; not checked` };
}
