// Parses plain `ip route` output, as BusyBox prints it on OpenWrt (no -j). BusyBox does not
// print the protocol, so `proto` stays undefined unless the line has one (full iproute2 does).

import { canonicalIp, canonicalPrefix, type IpFamily } from 'minilb-server';
import { defaultMetric, routeText, type RouterRoute } from './router-route.js';

const routeTypes = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'anycast',
]);

// Keywords followed by one value; anything else is a flag word (onlink, linkdown, ...).
const keyed = new Set([
  'via',
  'dev',
  'proto',
  'metric',
  'src',
  'scope',
  'table',
  'from',
  'pref',
  'expires',
  'mtu',
  'advmss',
  'hoplimit',
  'realm',
  'realms',
  'weight',
  'error',
  'tos',
  'dsfield',
  'nhid',
  'rtt',
  'rttvar',
  'window',
  'cwnd',
  'initcwnd',
  'initrwnd',
  'quickack',
  'features',
  'congctl',
  'ssthresh',
  'reordering',
  'encap',
  'fastopen_no_cookie',
  'ttl-propagate',
]);

export function parseIpTextRoutes(text: string, family: IpFamily): RouterRoute[] {
  const routes: RouterRoute[] = [];
  let last: RouterRoute | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // Continuation lines ("\tnexthop via ... dev ...") belong to the multipath route above.
    if (/^\s/.test(line)) {
      if (last && line.trim().startsWith('nexthop')) {
        last.multipath = true;
        last.via = undefined;
        last.text = routeText(last);
      }
      continue;
    }
    const words = line.trim().split(/\s+/);
    let i = 0;
    let type = 'unicast';
    if (routeTypes.has(words[0]!)) type = words[i++]!;
    const dst = words[i++];
    if (!dst) continue;
    const cidr = dst === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : canonicalPrefix(dst);
    if (!cidr) continue;
    const fields = new Map<string, string>();
    while (i < words.length) {
      const word = words[i++]!;
      if (keyed.has(word) && i < words.length) fields.set(word, words[i++]!);
    }
    const via = fields.get('via');
    const metric = fields.get('metric');
    const base = {
      family,
      cidr,
      type,
      via: via ? canonicalIp(via) : undefined,
      dev: fields.get('dev'),
      proto: fields.get('proto'),
      metric: metric !== undefined && /^\d+$/.test(metric) ? Number(metric) : defaultMetric(family),
      multipath: false,
    };
    last = { ...base, text: routeText(base) };
    routes.push(last);
  }
  return routes;
}
