// Cluster scale: thousands of LoadBalancer Services with EndpointSlices written directly
// (selector-less, as endpointslice mirroring allows), Ingresses with status and HTTPRoutes on
// one Gateway, created in parallel through the harness API server.
import { BulkWriter } from './kube-bulk.js';
import { gateway, httpRoute, ingress, scaleNamespace, scaleNamespaces, scaleObjects, DOMAIN, type ScaleSet } from './dataset.js';

export const SCALE_ZONE = 'scale.test';

function* scaleExtras(set: ScaleSet): Generator<Record<string, unknown>> {
  for (let i = 0; i < set.ingresses; i++) {
    const svc = (i * 10) % set.services;
    yield ingress(scaleNamespace(svc), `ing-${i}`, `ing-${i}.${SCALE_ZONE}`, `svc-${svc}.${scaleNamespace(svc)}.${DOMAIN}`);
  }
  const gw = { namespace: scaleNamespace(0), name: 'scale' };
  yield gateway(gw.namespace, gw.name, `*.${SCALE_ZONE}`, `svc-0.${gw.namespace}.${DOMAIN}`);
  for (let i = 0; i < set.routes; i++) {
    yield httpRoute(scaleNamespace((i * 10) % set.services), `route-${i}`, [`route-${i}.${SCALE_ZONE}`], gw);
  }
}

export interface ScaleCreation {
  objects: number;
  seconds: number;
}

export async function createScaleSet(writer: BulkWriter, set: ScaleSet): Promise<ScaleCreation> {
  const t0 = performance.now();
  await writer.namespaces(scaleNamespaces(set));
  const a = await writer.createAll(scaleObjects(set), 32);
  const b = await writer.createAll(scaleExtras(set), 32);
  return { objects: a.count + b.count, seconds: (performance.now() - t0) / 1000 };
}

/** Names that must resolve once everything is synced (the last of each kind). */
export function scaleProbes(set: ScaleSet): Array<{ name: string; addresses: number }> {
  const last = set.services - 1;
  return [
    { name: `svc-${last}.${scaleNamespace(last)}.${DOMAIN}`, addresses: set.endpointsPerService },
    { name: `ing-${set.ingresses - 1}.${SCALE_ZONE}`, addresses: set.endpointsPerService },
    { name: `route-${set.routes - 1}.${SCALE_ZONE}`, addresses: set.endpointsPerService },
  ];
}
