// Bundle-time stand-in for node-fetch inside @kubernetes/client-node: minilb only uses
// KubeConfig for credentials, whose one use of node-fetch is Headers, which Node 20 has built
// in. node-fetch would bring whatwg-url and tr46's Unicode tables, megabytes of heap.
export const Headers = globalThis.Headers;
export default globalThis.fetch;
export class AbortError extends Error {}
export class FetchError extends Error {}
