// Parses `ip -j route show` (iproute2 4.13+) into router routes. iproute2 leaves out
// `protocol` for proto boot and `metric` for the family's default, so those are filled in here.

import { canonicalIp, canonicalPrefix, type IpFamily } from 'minilb-server';
import { defaultMetric, routeText, type RouterRoute } from './router-route.js';

export class RouteOutputError extends Error {}

type Raw = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function gatewayOf(entry: Raw): string | undefined {
  const gw = str(entry.gateway);
  if (gw) return canonicalIp(gw);
  // An IPv4 route via an IPv6 next hop (RFC 5549) prints `"via": {"family": "inet6", "host": ...}`.
  const via = entry.via as Raw | undefined;
  return via && str(via.host) ? canonicalIp(str(via.host)!) : undefined;
}

export function parseIpJsonRoutes(text: string, family: IpFamily): RouterRoute[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    throw new RouteOutputError(`cannot read the router's \`ip -j route\` output as JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(doc)) throw new RouteOutputError("the router's `ip -j route` output is not a JSON list");
  const routes: RouterRoute[] = [];
  for (const item of doc) {
    const entry = (item ?? {}) as Raw;
    const dstText = str(entry.dst);
    if (!dstText) continue;
    const cidr = dstText === 'default' ? (family === 4 ? '0.0.0.0/0' : '::/0') : canonicalPrefix(dstText);
    if (!cidr) continue; // nothing minilb manages can look like this
    const nexthops = Array.isArray(entry.nexthops) ? entry.nexthops : [];
    const base = {
      family,
      cidr,
      type: str(entry.type) ?? 'unicast',
      via: nexthops.length > 0 ? undefined : gatewayOf(entry),
      dev: str(entry.dev),
      proto: str(entry.protocol) ?? (typeof entry.protocol === 'number' ? String(entry.protocol) : '3'),
      metric: typeof entry.metric === 'number' ? entry.metric : defaultMetric(family),
      multipath: nexthops.length > 0,
    };
    routes.push({ ...base, text: routeText(base) });
  }
  return routes;
}
