// What other packages (the CLI) use from the server: the index, sources and route computation.

export * from './index/cluster-objects.js';
export { RecordIndex, hostAnnotation, excludeAnnotation } from './index/record-index.js';
export type { Explanation } from './index/explanation.js';
export { trimObject } from './sources/trim-object.js';
export { readManifests, ManifestError } from './sources/manifest-files.js';
export { loadKubeConfig } from './sources/kubernetes/kube-config.js';
export { KubeClient } from './sources/kubernetes/kube-client.js';
export { coreResources } from './sources/kubernetes/kubernetes-source.js';
export { readClusterSnapshot } from './sources/kubernetes/cluster-snapshot.js';
