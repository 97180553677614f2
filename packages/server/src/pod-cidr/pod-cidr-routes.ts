// The routes a LAN router needs so clients reach pods directly: every node podCIDR via that
// node's InternalIP of the same family. Pure and shared by the server's start-up hint and the CLI.

import type { TrimmedNode } from '../index/cluster-objects.js';
import { comparePrefixes, formatIpAddress, formatPrefix, parseIpAddress, parsePrefix, type IpFamily, type IpPrefix } from '../net/ip-prefix.js';

export interface PodRoute {
  node: string;
  family: IpFamily;
  cidr: string; // canonical network/length
  via: string; // canonical next hop: the node's InternalIP of the same family
}

// Something about a node that kept one of its routes (or all of them) out of the result.
export interface RouteProblem {
  node: string;
  message: string;
}

export interface DesiredRoutes {
  routes: PodRoute[]; // sorted: IPv4 first, then by prefix, then by node
  problems: RouteProblem[]; // sorted by node, in the order found for one node
}

const familyName = (family: IpFamily): string => (family === 4 ? 'IPv4' : 'IPv6');

interface Candidate {
  route: PodRoute;
  prefix: IpPrefix;
}

function nodeCandidates(node: TrimmedNode, problems: RouteProblem[]): Candidate[] {
  const name = node.meta.name;
  const report = (message: string): void => {
    problems.push({ node: name, message });
  };
  if (node.podCIDRs.length === 0) {
    report(`node ${name} has no spec.podCIDRs (is the controller manager allocating node CIDRs?); skipped`);
    return [];
  }
  // kubelet lists the node's primary address of each family first; later ones are secondary.
  const internal = new Map<IpFamily, string>();
  for (const address of node.addresses) {
    if (address.type !== 'InternalIP') continue;
    const ip = parseIpAddress(address.address);
    if (!ip) {
      report(`node ${name} has an InternalIP that is not an IP address (${JSON.stringify(address.address)}); ignored`);
      continue;
    }
    if (!internal.has(ip.family)) internal.set(ip.family, formatIpAddress(ip));
  }
  const out: Candidate[] = [];
  for (const text of node.podCIDRs) {
    const parsed = parsePrefix(text);
    if (!parsed) {
      report(`node ${name} has podCIDR ${JSON.stringify(text)}, which is not a CIDR; skipped`);
      continue;
    }
    const cidr = formatPrefix(parsed.prefix);
    if (parsed.hostBitsSet) {
      report(`node ${name} has podCIDR ${text} with host bits set (${cidr} is the network); skipped`);
      continue;
    }
    const family = parsed.prefix.family;
    const via = internal.get(family);
    if (!via) {
      report(`node ${name} has no ${familyName(family)} InternalIP for podCIDR ${cidr}; skipped`);
      continue;
    }
    out.push({ route: { node: name, family, cidr, via }, prefix: parsed.prefix });
  }
  return out;
}

export function desiredRoutes(nodes: readonly TrimmedNode[]): DesiredRoutes {
  const problems: RouteProblem[] = [];
  const sortedNodes = [...nodes].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
  const byCidr = new Map<string, Candidate[]>();
  for (const node of sortedNodes) {
    for (const candidate of nodeCandidates(node, problems)) {
      const same = byCidr.get(candidate.route.cidr);
      if (same) same.push(candidate);
      else byCidr.set(candidate.route.cidr, [candidate]);
    }
  }
  const kept: Candidate[] = [];
  for (const [cidr, candidates] of byCidr) {
    if (candidates.length === 1) {
      kept.push(candidates[0]!);
      continue;
    }
    // Two nodes cannot both own a prefix; picking one would be a guess, so neither gets it.
    const names = candidates.map((c) => c.route.node);
    for (const name of names) {
      problems.push({ node: name, message: `podCIDR ${cidr} is claimed by nodes ${names.join(', ')}; skipped for all of them` });
    }
  }
  kept.sort(
    (a, b) => comparePrefixes(a.prefix, b.prefix) || (a.route.node < b.route.node ? -1 : a.route.node > b.route.node ? 1 : 0),
  );
  problems.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return { routes: kept.map((c) => c.route), problems };
}
