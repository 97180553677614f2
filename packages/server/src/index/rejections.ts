// What minilb refused or left out of an object, and why: one shape for the log, the
// minilb_rejected_objects metric, explain and `minilb doctor`.

export type RejectionReason =
  | 'unknown-kind' // a kind no Kubernetes cluster minilb knows of serves (a typo such as "Servce", or a CRD)
  | 'unused-kind' // a real Kubernetes kind minilb does not read (Deployment, ConfigMap, ...)
  | 'duplicate' // the same kind/namespace/name twice in the manifests: the later one wins
  | 'invalid-address' // an endpoint or status address that is not an IP of the right family
  | 'invalid-hostname' // a minilb/host, Ingress host or route hostname that is not a DNS name
  | 'invalid-service-name'; // a Service whose name or namespace cannot be a DNS label

export interface Rejection {
  reason: RejectionReason;
  // "Service shop/web", "EndpointSlice shop/web-1", or "c.yaml document 3" for an object
  // that has no usable identity.
  object: string;
  message: string; // a whole sentence, starting with `object`, saying what was left out and what to do
}

export const rejectionReasons: readonly RejectionReason[] = [
  'unknown-kind',
  'unused-kind',
  'duplicate',
  'invalid-address',
  'invalid-hostname',
  'invalid-service-name',
];
