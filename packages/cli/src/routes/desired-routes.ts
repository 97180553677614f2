// The routes the cluster's nodes need, with each node that gives none reported as a warning:
// the same for printing, applying once and every --watch round.

import { desiredRoutes, type DesiredRoutes, type TrimmedNode } from 'minilb-server';

export function desiredRoutesWithWarnings(nodes: readonly TrimmedNode[], warn: (line: string) => void): DesiredRoutes {
  const desired = desiredRoutes(nodes);
  for (const p of desired.problems) warn(`warning: ${p.message}`);
  return desired;
}
