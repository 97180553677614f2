// Whether a node is being drained or is unreachable, as the API server says: cordoned
// (spec.unschedulable) or tainted by Kubernetes itself. Its pods may still serve, but clients
// should move away before they are evicted, so the index answers them last.

import type { TrimmedNode } from './cluster-objects.js';

// The taints the node lifecycle controller and `kubectl cordon` put on a node that is going away.
// Other node.kubernetes.io/ taints (memory-pressure, disk-pressure, ...) keep serving pods alive.
const drainTaintKeys: ReadonlySet<string> = new Set([
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/out-of-service',
]);

export function isDrainTaint(key: string, effect: string): boolean {
  return drainTaintKeys.has(key) && (effect === 'NoExecute' || effect === 'NoSchedule');
}

// Why the node's endpoints are demoted ('cordoned', 'tainted node.kubernetes.io/...'), or
// undefined when the node serves normally.
export function drainReason(node: TrimmedNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.unschedulable) return 'node cordoned (spec.unschedulable)';
  const taint = node.drainTaints[0];
  return taint ? `node tainted ${taint.key}:${taint.effect}` : undefined;
}
