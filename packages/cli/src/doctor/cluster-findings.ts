// The prerequisites minilb relies on, checked against the cluster's objects: node podCIDRs,
// pod IPs inside their node's podCIDRs, ports equal to targetPorts, ready endpoints, and one
// owner per hostname. Pure: objects in, findings out.

import { claimOwner, RecordIndex, serviceProblems, type ClusterObject, type Rejection, type RejectionReason, type TrimmedNode, type TrimmedService } from 'minilb-server';
import { podAddressProblem } from '../inspect/pod-address-check.js';

export interface Finding {
  check:
    | 'node-podcidr'
    | 'pod-outside-podcidr'
    | 'port-mapping'
    | 'no-ready-endpoints'
    | 'only-drained-endpoints'
    | 'endpoints-down'
    | 'hostname-conflict'
    | 'rejected-object'
    | 'router'
    | 'dns';
  objects: string[];
  message: string;
  fix: string;
}

function nodeFindings(nodes: TrimmedNode[]): Finding[] {
  return nodes
    .filter((n) => n.podCIDRs.length === 0)
    .map((n) => ({
      check: 'node-podcidr' as const,
      objects: [`Node ${n.meta.name}`],
      message: `node ${n.meta.name} has no podCIDRs, so the router gets no route to its pods`,
      fix: 'run kube-controller-manager with --allocate-node-cidrs=true and --cluster-cidr (kubeadm: networking.podSubnet), or set spec.podCIDRs when the node registers',
    }));
}

function podAddressFindings(index: RecordIndex, service: TrimmedService, nodes: Map<string, TrimmedNode>): Finding[] {
  const { namespace, name } = service.meta;
  const findings: Finding[] = [];
  for (const ep of index.endpointsOf(namespace, name)?.endpoints ?? []) {
    // A node without podCIDRs is its own finding, once per node.
    const problem = podAddressProblem(ep, nodes);
    if (problem?.kind !== 'outside-podcidr') continue;
    findings.push({
      check: 'pod-outside-podcidr',
      objects: [`Service ${namespace}/${name}`, ...(ep.pod ? [`Pod ${namespace}/${ep.pod}`] : []), `Node ${problem.node!.meta.name}`],
      message: problem.message,
      fix: 'the CNI hands out addresses of its own (Calico IP pools, Cilium cluster-scope IPAM, a custom IPAM); use flannel, kube-router, or Cilium with ipam.mode=kubernetes',
    });
  }
  return findings;
}

// Port mapping and readiness, as the server decides them (the same text its Events carry).
function serviceProblemFindings(index: RecordIndex, service: TrimmedService): Finding[] {
  const { namespace, name } = service.meta;
  const id = `${namespace}/${name}`;
  return serviceProblems(service, index.endpointsOf(namespace, name)).flatMap((problem): Finding[] => {
    switch (problem.reason) {
      case 'PortMappingBypassed':
        return [
          {
            check: 'port-mapping',
            objects: [`Service ${id}`],
            message: `Service ${id} ${problem.message}`,
            fix:
              problem.port < 1024
                ? `make the container listen on ${problem.port}; a non-root container can bind it with the pod sysctl net.ipv4.ip_unprivileged_port_start=${problem.port} (securityContext.sysctls)`
                : `make the container listen on ${problem.port}, or set port: ${problem.targetPort}`,
          },
        ];
      case 'NoReadyEndpoints':
        return [
          {
            check: 'no-ready-endpoints',
            objects: [`Service ${id}`],
            message: `Service ${id} has ${problem.message}`,
            fix: `check the pods behind it: kubectl -n ${namespace} get pods,endpointslices -l kubernetes.io/service-name=${name}`,
          },
        ];
      case 'OnlyDrainedEndpoints':
        return [
          {
            check: 'only-drained-endpoints',
            objects: [`Service ${id}`],
            message: `Service ${id}: ${problem.message}`,
            fix: `let its pods be rescheduled (kubectl -n ${namespace} rollout restart), or uncordon the node when its maintenance is over`,
          },
        ];
      case 'AllEndpointsDown':
        return [
          {
            check: 'endpoints-down',
            objects: [`Service ${id}`],
            message: `Service ${id}: ${problem.message}`,
            fix: `check that the pods accept TCP connections on the checked port, or set minilb/health-check: none`,
          },
        ];
      case 'TerminatingFallback':
        return []; // a rollout in progress, not a broken prerequisite
    }
  });
}

// Cordoned or tainted nodes that carry minilb endpoints: not a fault (maintenance), but worth a line.
export function drainNotes(objects: ClusterObject[], options: { domain: string; lbClass: string }): string[] {
  const index = new RecordIndex({ zone: options.domain, lbClass: options.lbClass });
  index.replaceAll(objects);
  const byNode = new Map<string, { reason: string; services: Set<string> }>();
  for (const service of index.list('Service').filter((s) => index.isEligible(s))) {
    for (const ep of index.endpointsOf(service.meta.namespace, service.meta.name)?.endpoints ?? []) {
      if (!ep.node || !ep.demoted) continue;
      const entry = byNode.get(ep.node) ?? { reason: ep.demoted, services: new Set<string>() };
      entry.services.add(`${service.meta.namespace}/${service.meta.name}`);
      byNode.set(ep.node, entry);
    }
  }
  return [...byNode].map(
    ([node, { reason, services }]) =>
      `Node ${node}: ${reason}; its endpoints of ${[...services].sort().join(', ')} are answered only when nothing elsewhere is usable`,
  );
}

const rejectionFixes: Record<Exclude<RejectionReason, 'unused-kind'>, string> = {
  'unknown-kind': 'fix the kind (minilb reads Service, EndpointSlice, Node, Ingress, Gateway, HTTPRoute, GRPCRoute and TLSRoute), or remove the object',
  duplicate: 'keep one definition of the object',
  'invalid-address': 'write IP addresses of the slice\'s addressType (or status ip fields that are IPs); whatever writes them has a bug',
  'invalid-hostname': 'write a DNS name: labels of a-z, 0-9 and "-", at most 63 characters each, 253 in all',
  'invalid-service-name': 'rename the Service or namespace to a DNS label (Kubernetes itself refuses such names)',
};

// What minilb refuses or leaves out, as the server logs it (kinds it does not read are notes).
export function rejectionFindings(rejections: readonly Rejection[]): Finding[] {
  return rejections.flatMap((r): Finding[] =>
    r.reason === 'unused-kind' ? [] : [{ check: 'rejected-object', objects: [r.object], message: r.message, fix: rejectionFixes[r.reason] }],
  );
}

export function clusterFindings(objects: ClusterObject[], options: { domain: string; lbClass: string }, sourceRejections: readonly Rejection[] = []): Finding[] {
  const index = new RecordIndex({ zone: options.domain, lbClass: options.lbClass });
  index.replaceAll(objects);
  const nodes = new Map(index.list('Node').map((n) => [n.meta.name, n]));
  const findings = nodeFindings([...nodes.values()]);
  for (const service of index.list('Service').filter((s) => index.isEligible(s))) {
    findings.push(...podAddressFindings(index, service, nodes), ...serviceProblemFindings(index, service));
  }
  for (const claims of index.conflicts()) {
    const [winner, ...losers] = claims;
    const who = (c: (typeof claims)[number]) => {
      const owner = claimOwner(c);
      return `${owner.kind} ${owner.namespace}/${owner.name}`;
    };
    const name = winner!.wildcard === 'none' ? winner!.name : `*.${winner!.name}`;
    findings.push({
      check: 'hostname-conflict',
      objects: claims.map(who),
      message: `hostname ${name} is claimed by ${claims.length} objects; ${who(winner!)} wins over ${losers.map(who).join(', ')}`,
      fix: 'remove the name from all but one object, or mark the others with minilb/exclude: "true"',
    });
  }
  findings.push(...rejectionFindings([...sourceRejections, ...index.rejections()]));
  return findings;
}
