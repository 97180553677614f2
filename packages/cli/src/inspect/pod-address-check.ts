// Is a pod IP inside one of its node's podCIDRs? (Cilium cluster-scope IPAM and Calico hand out
// addresses outside them, which the router's podCIDR routes cannot reach.)

import { isIP } from 'node:net';
import { BlockList } from 'node:net';

export function addressInPrefixes(address: string, prefixes: readonly string[]): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const prefix of prefixes) {
    const [network, length] = prefix.split('/');
    const prefixFamily = isIP(network ?? '');
    if (prefixFamily !== family || length === undefined) continue;
    list.addSubnet(network!, Number(length), family === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
