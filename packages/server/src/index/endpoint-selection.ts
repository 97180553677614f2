// Which endpoint addresses a Service answers with: ready ones, else serving-but-terminating
// ones (as kube-proxy falls back), or all with publishNotReadyAddresses; per IP family.

import type { SlicePort, TrimmedEndpointSlice, TrimmedService } from './cluster-objects.js';

export interface EndpointInfo {
  address: string;
  family: 4 | 6;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod: string | undefined;
  node: string | undefined;
  answered: boolean;
}

export interface EndpointSet {
  a: string[];
  aaaa: string[];
  ports: SlicePort[]; // named ports from the slices, for SRV
  endpoints: EndpointInfo[]; // every endpoint seen, answered or not, for explain
  fallback: boolean; // answering serving-but-terminating endpoints because none is ready
}

function selectFamily(all: EndpointInfo[], publishNotReady: boolean): { chosen: EndpointInfo[]; fallback: boolean } {
  if (publishNotReady) return { chosen: all, fallback: false };
  const ready = all.filter((e) => e.ready);
  if (ready.length > 0) return { chosen: ready, fallback: false };
  const serving = all.filter((e) => e.serving && e.terminating);
  return { chosen: serving, fallback: serving.length > 0 };
}

export function selectEndpoints(service: TrimmedService, slices: Iterable<TrimmedEndpointSlice>): EndpointSet {
  const byAddress = new Map<string, EndpointInfo>();
  const ports = new Map<string, SlicePort>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const family = slice.addressType === 'IPv4' ? 4 : 6;
    for (const port of slice.ports) ports.set(`${port.name}/${port.protocol}/${port.port}`, port);
    for (const ep of slice.endpoints) {
      for (const address of ep.addresses) {
        const seen = byAddress.get(address);
        // The same address in two slices (during a slice split) counts once, at its best state.
        if (seen && (seen.ready || !ep.ready)) continue;
        byAddress.set(address, {
          address,
          family,
          ready: ep.ready,
          serving: ep.serving,
          terminating: ep.terminating,
          pod: ep.targetPod,
          node: ep.nodeName,
          answered: false,
        });
      }
    }
  }
  const all = [...byAddress.values()].sort((x, y) => x.address.localeCompare(y.address));
  const v4 = selectFamily(all.filter((e) => e.family === 4), service.publishNotReadyAddresses);
  const v6 = selectFamily(all.filter((e) => e.family === 6), service.publishNotReadyAddresses);
  for (const e of [...v4.chosen, ...v6.chosen]) e.answered = true;
  return {
    a: v4.chosen.map((e) => e.address),
    aaaa: v6.chosen.map((e) => e.address),
    ports: [...ports.values()].sort((x, y) => x.name.localeCompare(y.name) || x.port - y.port),
    endpoints: all,
    fallback: v4.fallback || v6.fallback,
  };
}
