// When every probed endpoint on one node fails without a reply, the node itself is the likely
// culprit (power, link, kernel): its other endpoints, of Services that are not probed, are
// demoted too. A refused connection proves the host alive, so it never counts.

export interface ProbedEndpoint {
  node: string | undefined;
  address: string;
  down: boolean;
  downSince: number; // when it went down (ms)
  noReply: boolean; // its last failure was a timeout or unreachable
}

// At least this many distinct probed addresses on a node before it can be suspected: one dead
// pod sandbox (its IP gone, unreachable) must not demote its neighbours.
export const minProbedAddresses = 2;

// The nodes to suspect: every probed address on them down without a reply, all of them gone
// down after `clearedAt` of that node (the last time its suspicion was lifted).
export function inferSuspectNodes(endpoints: Iterable<ProbedEndpoint>, clearedAt: ReadonlyMap<string, number> = new Map()): Set<string> {
  const byNode = new Map<string, { addresses: Set<string>; allDead: boolean }>();
  for (const ep of endpoints) {
    if (!ep.node) continue;
    let entry = byNode.get(ep.node);
    if (!entry) byNode.set(ep.node, (entry = { addresses: new Set(), allDead: true }));
    entry.addresses.add(ep.address);
    const dead = ep.down && ep.noReply && ep.downSince > (clearedAt.get(ep.node) ?? -Infinity);
    if (!dead) entry.allDead = false;
  }
  const suspects = new Set<string>();
  for (const [node, { addresses, allDead }] of byNode) {
    if (allDead && addresses.size >= minProbedAddresses) suspects.add(node);
  }
  return suspects;
}
