// Is a pod reachable through the router's podCIDR routes? Its node must have podCIDRs and its IP
// must lie inside them (Cilium cluster-scope IPAM and Calico hand out addresses outside them).
// Shared by `minilb inspect` (warnings) and `minilb doctor` (findings).

import { BlockList, isIP } from 'node:net';
import type { TrimmedNode } from 'minilb-server';

export interface PodAddressProblem {
  kind: 'unknown-node' | 'no-podcidr' | 'outside-podcidr';
  node: TrimmedNode | undefined;
  message: string;
}

export function addressInPrefixes(address: string, prefixes: readonly string[]): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const prefix of prefixes) {
    const [network, length] = prefix.split('/');
    if (isIP(network ?? '') !== family || length === undefined) continue;
    list.addSubnet(network!, Number(length), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function podAddressProblem(
  endpoint: { address: string; node: string | undefined },
  nodes: ReadonlyMap<string, TrimmedNode>,
): PodAddressProblem | undefined {
  if (!endpoint.node) return undefined;
  const node = nodes.get(endpoint.node);
  if (!node) return { kind: 'unknown-node', node, message: `node ${endpoint.node} is not known` };
  if (node.podCIDRs.length === 0) {
    return { kind: 'no-podcidr', node, message: `node ${endpoint.node} has no podCIDR, so the router has no route to it` };
  }
  if (addressInPrefixes(endpoint.address, node.podCIDRs)) return undefined;
  return {
    kind: 'outside-podcidr',
    node,
    message: `pod IP ${endpoint.address} is outside node ${endpoint.node}'s podCIDRs (${node.podCIDRs.join(', ')}): the router's podCIDR routes send its traffic elsewhere`,
  };
}
