// A route as read from a router's main table, whichever `ip` printed it (iproute2 JSON or
// BusyBox text): the common shape the plan works on.

import type { IpFamily } from 'minilb-server';

export interface RouterRoute {
  family: IpFamily;
  cidr: string; // canonical; a host route gets its /32 or /128
  type: string; // unicast, blackhole, unreachable, ...
  via: string | undefined; // canonical gateway; undefined for direct and multipath routes
  dev: string | undefined;
  proto: string | undefined; // number (ip -N) or name; undefined when the tool does not say (BusyBox)
  metric: number | undefined;
  multipath: boolean;
  text: string; // the route in `ip route` syntax, for messages
}

// Names of the protocol numbers a router commonly shows (iproute2's rt_protos), for messages only.
const protocolNames: Record<string, string> = {
  '1': 'redirect',
  '2': 'kernel',
  '3': 'boot',
  '4': 'static',
  '8': 'gated',
  '9': 'ra',
  '11': 'zebra',
  '12': 'bird',
  '16': 'dhcp',
  '18': 'keepalived',
  '42': 'babel',
  '186': 'bgp',
  '187': 'isis',
  '188': 'ospf',
  '189': 'rip',
};

export function protocolName(proto: string): string {
  return protocolNames[proto] ?? proto;
}

// iproute2's family switch for a prefix.
export function familyFlag(cidr: string): '-4' | '-6' {
  return cidr.includes(':') ? '-6' : '-4';
}

export function defaultMetric(family: IpFamily): number {
  // The kernel gives IPv6 routes added without a metric 1024 (IP6_RT_PRIO_USER); IPv4 gets 0.
  return family === 4 ? 0 : 1024;
}

export function routeText(r: Omit<RouterRoute, 'text'>): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(r.cidr);
  if (r.via) parts.push('via', r.via);
  if (r.multipath) parts.push('(multipath)');
  if (r.dev) parts.push('dev', r.dev);
  if (r.proto !== undefined) parts.push('proto', protocolName(r.proto));
  if (r.metric !== undefined && r.metric !== defaultMetric(r.family)) parts.push('metric', String(r.metric));
  return parts.join(' ');
}
