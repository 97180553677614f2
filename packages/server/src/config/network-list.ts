// Lists of networks given as CIDR text (`-upstream-allow`, `-rrl-exempt`): parsed once into a
// BlockList that answers "is this client inside?" for IPv4, IPv6 and IPv4-mapped IPv6 sources.

import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface NetworkList {
  readonly text: readonly string[]; // as given, for logs and errors
  contains(address: string): boolean;
}

// The ranges a LAN's own clients come from: RFC 1918, CGNAT (RFC 6598), loopback, link-local,
// and IPv6 loopback, link-local and ULA. A LAN with global IPv6 addresses adds its prefix.
export const privateNetworks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '::1/128', 'fe80::/10', 'fc00::/7'];

export function parseNetworkList(text: string): NetworkList {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = slash < 0 ? entry : entry.slice(0, slash);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    const max = family === 'ipv4' ? 32 : 128;
    const length = slash < 0 ? max : Number(entry.slice(slash + 1));
    if (!family || !/^\d{1,3}$/.test(slash < 0 ? String(max) : entry.slice(slash + 1)) || length > max) {
      throw new Error(`${JSON.stringify(entry)} is not a network; use CIDR like 192.168.1.0/24 or 2001:db8:1::/48, comma separated`);
    }
    list.addSubnet(address, length, family);
  }
  return {
    text: entries,
    contains: (client) => {
      if (entries.length === 0) return false;
      if (isIPv4(client)) return list.check(client, 'ipv4');
      return isIPv6(client) && list.check(client, 'ipv6');
    },
  };
}
