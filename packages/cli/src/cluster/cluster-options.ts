// The flags every cluster-reading command shares: where the cluster comes from, and which
// zone and LoadBalancer class the minilb server uses.

import type { Argv } from 'yargs';
import type { ClusterSource } from './read-cluster.js';

export interface ClusterArgs {
  manifests?: string[] | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  domain?: string | undefined;
  lbClass?: string | undefined;
}

export function clusterOptions<T>(y: Argv<T>): Argv<T & ClusterArgs> {
  return y
    .option('manifests', { type: 'array', string: true, describe: 'read the cluster from manifest files or directories', group: 'Cluster:' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (default: in-cluster, KUBECONFIG, ~/.kube/config)', group: 'Cluster:' })
    .option('context', { type: 'string', describe: 'kubeconfig context to use', group: 'Cluster:' })
    .option('domain', { type: 'string', default: 'minilb', describe: "the minilb server's -domain", group: 'Cluster:' })
    .option('lb-class', { type: 'string', default: 'minilb', describe: "the minilb server's -lb-class", group: 'Cluster:' }) as unknown as Argv<T & ClusterArgs>;
}

export function clusterSource(args: ClusterArgs): ClusterSource {
  return { manifests: args.manifests, kubeconfig: args.kubeconfig, context: args.context };
}
