// The prerequisites minilb relies on, checked against the cluster's objects: node podCIDRs,
// pod IPs inside their node's podCIDRs, ports equal to targetPorts, ready endpoints, and one
// owner per hostname. Pure: objects in, findings out.

import type { ClusterObject, TrimmedNode, TrimmedService } from 'minilb-server/index/cluster-objects';
import { RecordIndex } from 'minilb-server/index/record-index';
import { addressInPrefixes } from '../inspect/pod-address-check.js';

export interface Finding {
  check: 'node-podcidr' | 'pod-outside-podcidr' | 'port-mapping' | 'no-ready-endpoints' | 'hostname-conflict' | 'router' | 'dns';
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
  const set = index.endpointsOf(service.meta.namespace, service.meta.name);
  const findings: Finding[] = [];
  for (const ep of set?.endpoints ?? []) {
    const node = ep.node ? nodes.get(ep.node) : undefined;
    if (!node || node.podCIDRs.length === 0 || addressInPrefixes(ep.address, node.podCIDRs)) continue;
    findings.push({
      check: 'pod-outside-podcidr',
      objects: [`Service ${service.meta.namespace}/${service.meta.name}`, ...(ep.pod ? [`Pod ${service.meta.namespace}/${ep.pod}`] : []), `Node ${node.meta.name}`],
      message: `pod IP ${ep.address} is outside node ${node.meta.name}'s podCIDRs (${node.podCIDRs.join(', ')}): the router's podCIDR routes send its traffic to the wrong place`,
      fix: 'the CNI hands out addresses of its own (Calico IP pools, Cilium cluster-scope IPAM, a custom IPAM); use flannel, kube-router, or Cilium with ipam.mode=kubernetes',
    });
  }
  return findings;
}

function portFindings(service: TrimmedService): Finding[] {
  const id = `${service.meta.namespace}/${service.meta.name}`;
  return service.ports
    .filter((p) => p.targetPort !== undefined && String(p.targetPort) !== String(p.port))
    .map((p) => ({
      check: 'port-mapping' as const,
      objects: [`Service ${id}`],
      message: `Service ${id} port ${p.port} maps to targetPort ${p.targetPort}, but minilb clients connect straight to the pods on ${p.port}`,
      fix:
        p.port < 1024
          ? `make the container listen on ${p.port}; a non-root container can bind it with the pod sysctl net.ipv4.ip_unprivileged_port_start=${p.port} (securityContext.sysctls)`
          : `make the container listen on ${p.port}, or set port: ${p.targetPort}`,
    }));
}

export function clusterFindings(objects: ClusterObject[], options: { domain: string; lbClass: string }): Finding[] {
  const index = new RecordIndex({ zone: options.domain, lbClass: options.lbClass });
  index.replaceAll(objects);
  const nodes = new Map(index.list('Node').map((n) => [n.meta.name, n]));
  const findings = nodeFindings([...nodes.values()]);
  for (const service of index.list('Service').filter((s) => index.isEligible(s))) {
    const id = `${service.meta.namespace}/${service.meta.name}`;
    findings.push(...podAddressFindings(index, service, nodes), ...portFindings(service));
    const set = index.endpointsOf(service.meta.namespace, service.meta.name);
    if (set && set.a.length === 0 && set.aaaa.length === 0) {
      findings.push({
        check: 'no-ready-endpoints',
        objects: [`Service ${id}`],
        message: `Service ${id} has no ready endpoints: ${service.meta.name}.${service.meta.namespace}.${options.domain} answers with no addresses`,
        fix: `check the pods behind it: kubectl -n ${service.meta.namespace} get pods,endpointslices -l kubernetes.io/service-name=${service.meta.name}`,
      });
    }
  }
  for (const claims of index.conflicts()) {
    const [winner, ...losers] = claims;
    const who = (c: (typeof claims)[number]) => `${c.source.kind === 'annotation' ? 'Service' : c.source.kind} ${c.source.namespace}/${c.source.name}`;
    const name = winner!.wildcard === 'none' ? winner!.name : `*.${winner!.name}`;
    findings.push({
      check: 'hostname-conflict',
      objects: claims.map(who),
      message: `hostname ${name} is claimed by ${claims.length} objects; ${who(winner!)} wins over ${losers.map(who).join(', ')}`,
      fix: 'remove the name from all but one object, or mark the others with minilb/exclude: "true"',
    });
  }
  return findings;
}
