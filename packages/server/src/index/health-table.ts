// The health data the prober feeds in: probe states per Service endpoint and the nodes it
// suspects dead. Selection reads it through conditionOf(), next to the nodes' drain state.

import type { TrimmedNode } from './cluster-objects.js';
import type { EndpointCondition, HealthUpdate, ProbeHealth } from './endpoint-health.js';
import { drainReason } from './node-drain.js';

export interface HealthChanges {
  services: string[]; // namespace/name whose endpoint health changed
  nodes: string[]; // nodes whose suspicion began or ended
}

export class HealthTable {
  private readonly probes = new Map<string, Map<string, ProbeHealth>>();
  private readonly suspectNodes = new Map<string, string>();

  // Applies an update; says what changed a state (a new detail in the same state changes nothing).
  apply(update: HealthUpdate): HealthChanges {
    const changes: HealthChanges = { services: [], nodes: [] };
    for (const { service, address, health } of update.endpoints ?? []) {
      const byAddress = this.probes.get(service);
      const current = byAddress?.get(address);
      if (current?.state === health?.state && current?.since === health?.since) {
        if (current && health) byAddress!.set(address, health);
        continue;
      }
      if (health) {
        if (byAddress) byAddress.set(address, health);
        else this.probes.set(service, new Map([[address, health]]));
      } else if (byAddress) {
        byAddress.delete(address);
        if (byAddress.size === 0) this.probes.delete(service);
      }
      changes.services.push(service);
    }
    for (const { node, since } of update.suspectNodes ?? []) {
      if (this.suspectNodes.get(node) === since) continue;
      if (since) this.suspectNodes.set(node, since);
      else this.suspectNodes.delete(node);
      changes.nodes.push(node);
    }
    return changes;
  }

  suspects(): ReadonlyMap<string, string> {
    return this.suspectNodes;
  }

  conditionOf(service: string, address: string, node: TrimmedNode | undefined, nodeName: string | undefined): EndpointCondition | undefined {
    const probe = this.probes.get(service)?.get(address);
    const drained = drainReason(node);
    const suspectSince = nodeName ? this.suspectNodes.get(nodeName) : undefined;
    return probe || drained || suspectSince ? { probe, drained, suspectSince } : undefined;
  }
}
