// What each kind of object claims: a Service its own name and its minilb/host names, an
// Ingress its rule hosts, a route the hostnames it gets through its Gateways. Names that cannot
// be served are not claimed; they come back as problems of the object that wrote them.

import type { ClusterObject, ObjectRef, TrimmedGateway, TrimmedIngress, TrimmedRoute, TrimmedService } from './cluster-objects.js';
import type { Claim, Target } from './claims.js';
import { attachedHostnames, gatewayRefs } from './gateway-attachment.js';
import { isDnsLabel, parseHostname, serviceHostname } from './hostnames.js';
import type { RejectionReason } from './rejections.js';

export const hostAnnotation = 'minilb/host';
export const excludeAnnotation = 'minilb/exclude';

// Something wrong in one object that a user can fix, e.g. an invalid hostname.
export interface ObjectProblem {
  reason: RejectionReason;
  object: ObjectRef;
  field: string | undefined; // where in the object, e.g. "annotation minilb/host"
  message: string;
}

export function describeProblem(problem: ObjectProblem): string {
  const { kind, namespace, name } = problem.object;
  return `${kind} ${namespace}/${name}${problem.field ? ` ${problem.field}` : ''}: ${problem.message}`;
}

export interface ClaimContext {
  zone: string;
  lbClass: string;
  gateway(namespace: string, name: string): TrimmedGateway | undefined;
}

export interface DerivedClaims {
  claims: Claim[];
  problems: ObjectProblem[];
}

export function isEligible(service: TrimmedService, lbClass: string): boolean {
  return service.type === 'LoadBalancer' && service.loadBalancerClass === lbClass && !isExcluded(service);
}

function isExcluded(obj: ClusterObject): boolean {
  return obj.meta.annotations[excludeAnnotation] === 'true';
}

function refOf(obj: ClusterObject): ObjectRef {
  return { kind: obj.kind, namespace: obj.meta.namespace, name: obj.meta.name };
}

export function deriveClaims(obj: ClusterObject, context: ClaimContext): DerivedClaims {
  switch (obj.kind) {
    case 'Service':
      return serviceClaims(obj, context);
    case 'Ingress':
      return ingressClaims(obj);
    case 'HTTPRoute':
    case 'GRPCRoute':
    case 'TLSRoute':
      return routeClaims(obj, context);
    default:
      return { claims: [], problems: [] };
  }
}

// The valid, distinct names among `raw`; each invalid one becomes a problem.
function parseNames(raw: string[], allowWildcard: boolean, problem: (message: string) => void) {
  const out: { name: string; wildcard: boolean }[] = [];
  const seen = new Set<string>();
  for (const name of raw) {
    const parsed = parseHostname(name);
    if (!parsed.ok) problem(`skipped hostname ${parsed.reason}`);
    else if (parsed.wildcard && !allowWildcard) problem(`skipped hostname "${name}": wildcards are not allowed here`);
    else if (!seen.has((parsed.wildcard ? '*.' : '') + parsed.name)) {
      seen.add((parsed.wildcard ? '*.' : '') + parsed.name);
      out.push(parsed);
    }
  }
  return out;
}

function serviceClaims(service: TrimmedService, context: ClaimContext): DerivedClaims {
  const problems: ObjectProblem[] = [];
  if (!isEligible(service, context.lbClass)) return { claims: [], problems };
  const { namespace, name, creationTimestamp } = service.meta;
  // Kubernetes itself refuses such names; a manifest does not. Nobody could ever query it.
  for (const [what, label] of [['name', name], ['namespace', namespace]] as const) {
    if (isDnsLabel(label)) continue;
    const message = `${what} "${label}" cannot be a DNS label (at most 63 of a-z, 0-9 and "-", not starting or ending with "-"), so ${name}.${namespace}.${context.zone} can never be asked for; rename the Service`;
    problems.push({ reason: 'invalid-service-name', object: refOf(service), field: undefined, message });
    return { claims: [], problems };
  }
  const target: Target = { service: `${namespace}/${name}` };
  const claims: Claim[] = [
    {
      name: serviceHostname(namespace, name, context.zone),
      wildcard: 'none',
      source: { kind: 'Service', namespace, name, creationTimestamp, via: undefined },
      targets: [target],
    },
  ];
  const annotation = service.meta.annotations[hostAnnotation];
  if (annotation) {
    const field = `annotation ${hostAnnotation}`;
    const raw = annotation.split(',').filter((n) => n.trim() !== '');
    for (const parsed of parseNames(raw, false, (message) => problems.push({ reason: 'invalid-hostname', object: refOf(service), field, message }))) {
      claims.push({
        name: parsed.name,
        wildcard: 'none',
        source: { kind: 'annotation', namespace, name, creationTimestamp, via: undefined },
        targets: [target],
      });
    }
  }
  return { claims, problems };
}

function ingressClaims(ingress: TrimmedIngress): DerivedClaims {
  const problems: ObjectProblem[] = [];
  if (isExcluded(ingress)) return { claims: [], problems };
  const { namespace, name, creationTimestamp } = ingress.meta;
  const names = parseNames(ingress.hosts, true, (message) => problems.push({ reason: 'invalid-hostname', object: refOf(ingress), field: undefined, message }));
  const claims = names.map(
    (parsed): Claim => ({
      name: parsed.name,
      wildcard: parsed.wildcard ? 'one-label' : 'none',
      source: { kind: 'Ingress', namespace, name, creationTimestamp, via: undefined },
      targets: ingress.targets,
    }),
  );
  return { claims, problems };
}

function routeClaims(route: TrimmedRoute, context: ClaimContext): DerivedClaims {
  const problems: ObjectProblem[] = [];
  if (isExcluded(route)) return { claims: [], problems };
  const { namespace, name, creationTimestamp } = route.meta;
  const byName = new Map<string, Claim>();
  for (const ref of gatewayRefs(route)) {
    const gateway = context.gateway(ref.namespace, ref.name);
    if (!gateway || isExcluded(gateway)) continue;
    const hostnames = attachedHostnames(route, gateway);
    const names = parseNames(hostnames, true, (message) => problems.push({ reason: 'invalid-hostname', object: refOf(route), field: undefined, message }));
    for (const parsed of names) {
      const id = (parsed.wildcard ? '*.' : '') + parsed.name;
      const existing = byName.get(id);
      const via = `Gateway ${gateway.meta.namespace}/${gateway.meta.name}`;
      if (existing) {
        existing.targets = [...existing.targets, ...gateway.targets];
        existing.source.via = `${existing.source.via}, ${via}`;
      } else {
        byName.set(id, {
          name: parsed.name,
          wildcard: parsed.wildcard ? 'any-depth' : 'none',
          source: { kind: route.kind, namespace, name, creationTimestamp, via },
          targets: [...gateway.targets],
        });
      }
    }
  }
  return { claims: [...byName.values()], problems };
}
