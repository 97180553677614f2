// What a one-shot reader of a live cluster needs (the CLI's inspect, routes and doctor), in one
// module that public-api.ts loads only on demand: KubeConfig pulls in all of
// @kubernetes/client-node (about 75 MiB and most of a second).

export { loadKubeConfig, KubeConfigError } from './kube-config.js';
export { KubeClient, KubeApiError } from './kube-client.js';
export { readClusterSnapshot } from './cluster-snapshot.js';
