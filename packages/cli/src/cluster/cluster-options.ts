// The flags every cluster-reading command shares, defined once: where the cluster comes from,
// and (for the commands that compute answers) which zone and LoadBalancer class the server uses.

import type { Argv } from 'yargs';
import { parseHostname } from 'minilb-server';
import { several, single, usage } from '../flags/flag-values.js';
import type { ClusterSource } from './read-cluster.js';

export interface ClusterArgs {
  manifests?: string[] | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  domain?: string | undefined;
  lbClass?: string | undefined;
}

export interface ZoneSettings {
  domain: string;
  lbClass: string;
}

const group = 'Cluster:';

export function clusterOptions<T>(y: Argv<T>, { zone = true }: { zone?: boolean } = {}): Argv<T & ClusterArgs> {
  const withSource = y
    .option('manifests', { type: 'array', string: true, describe: 'read the cluster from manifest files or directories', group })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig file (default: in-cluster, KUBECONFIG, ~/.kube/config)', group })
    .option('context', { type: 'string', describe: 'kubeconfig context to use', group });
  if (!zone) return withSource as unknown as Argv<T & ClusterArgs>;
  return withSource
    .option('domain', { type: 'string', describe: "the minilb server's -domain (default: minilb)", group })
    .option('lb-class', { type: 'string', describe: "the minilb server's -lb-class (default: minilb)", group }) as unknown as Argv<T & ClusterArgs>;
}

// Checked before anything is read: `--manifests` with no file, a file and a cluster at once.
export function clusterSource(args: ClusterArgs): ClusterSource {
  const manifests = several('--manifests', args.manifests, 'a manifest file or folder');
  const kubeconfig = single('--kubeconfig', args.kubeconfig);
  const context = single('--context', args.context);
  if (manifests && (kubeconfig || context)) {
    usage('--manifests reads files and --kubeconfig/--context read a cluster: give one or the other');
  }
  return { manifests, kubeconfig, context };
}

export function zoneSettings(args: ClusterArgs): ZoneSettings {
  const domain = single('--domain', args.domain) ?? 'minilb';
  const parsed = parseHostname(domain);
  if (!parsed.ok || parsed.wildcard) usage(`--domain ${domain}: ${parsed.ok ? 'a wildcard is not a zone' : parsed.reason}`);
  const lbClass = single('--lb-class', args.lbClass) ?? 'minilb';
  return { domain: parsed.name, lbClass };
}
