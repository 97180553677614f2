// Health as the index receives it: data from the prober (per Service endpoint) and from its node
// inference (suspect nodes). The index only reads it; it never probes anything itself.

export interface ProbeHealth {
  state: 'up' | 'down';
  since: string; // RFC 3339: when the endpoint entered this state
  detail: string; // the last probe's result ("connect timeout after 1000 ms", "ECONNREFUSED")
}

export interface HealthUpdate {
  // `health: undefined` forgets the endpoint (no longer probed).
  endpoints?: { service: string; address: string; health: ProbeHealth | undefined }[];
  // `since: undefined` clears the suspicion.
  suspectNodes?: { node: string; since: string | undefined }[];
}

// What selection needs to know about one endpoint beyond its EndpointSlice conditions.
export interface EndpointCondition {
  probe: ProbeHealth | undefined; // undefined: not probed
  drained: string | undefined; // why its node is demoted by the API server (cordoned, tainted)
  suspectSince: string | undefined; // its node is suspected dead by the health checks
}
