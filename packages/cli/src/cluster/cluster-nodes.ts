// Reads the cluster's Nodes for the CLI: offline from manifest files, or from the API server
// through a kubeconfig (--kubeconfig, in-cluster, KUBECONFIG, ~/.kube/config), with the
// server's own one-shot snapshot reader so both see a cluster the same way.

import type { TrimmedNode } from 'minilb-server/index/cluster-objects';
import { readManifests } from 'minilb-server/sources/manifest-files';
import { CliError, exitCodes } from '../exit-codes.js';

export interface ClusterSource {
  manifests: string[] | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
}

export async function readNodes(source: ClusterSource): Promise<TrimmedNode[]> {
  if (source.manifests && source.manifests.length > 0) {
    try {
      const objects = await readManifests(source.manifests);
      return objects.filter((o): o is TrimmedNode => o.kind === 'Node');
    } catch (err) {
      throw new CliError(`cannot read the manifests: ${(err as Error).message}`, exitCodes.cluster);
    }
  }
  return listNodesFromApi(source);
}

async function listNodesFromApi(source: ClusterSource): Promise<TrimmedNode[]> {
  // Loaded only when needed: client-node's import alone costs ~75 MiB and most of a second.
  const [{ loadKubeConfig }, { KubeClient }, { readClusterSnapshot }] = await Promise.all([
    import('minilb-server/sources/kubernetes/kube-config'),
    import('minilb-server/sources/kubernetes/kube-client'),
    import('minilb-server/sources/kubernetes/cluster-snapshot'),
  ]);
  let kc;
  let from: string;
  try {
    ({ kc, from } = loadKubeConfig(source.kubeconfig));
  } catch (err) {
    throw new CliError(`${(err as Error).message.replace('-kubeconfig', '--kubeconfig').replace('-manifests', '--manifests')}`, exitCodes.cluster);
  }
  if (source.context) {
    // client-node accepts any name here and fails later with "no current cluster".
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new CliError(
        `--context ${source.context}: no such context in ${from} (it has ${known.length > 0 ? known.join(', ') : 'none'})`,
        exitCodes.cluster,
      );
    }
    kc.setCurrentContext(source.context);
  }
  let client;
  try {
    client = await KubeClient.create(kc);
  } catch (err) {
    throw new CliError(`cannot use the kubeconfig from ${from}: ${(err as Error).message}`, exitCodes.cluster);
  }
  try {
    const { objects, skipped } = await readClusterSnapshot(client, new Set(['Node']));
    for (const message of skipped) process.stderr.write(`warning: a Node was unreadable and is ignored: ${message}\n`);
    return objects.filter((o): o is TrimmedNode => o.kind === 'Node');
  } catch (err) {
    const e = err as { status?: number; message?: string };
    const hint = e.status === 401 || e.status === 403 ? ' (the credentials need list on nodes)' : '';
    throw new CliError(`cannot list nodes from ${client.serverUrl}${hint}: ${e.message ?? String(err)}`, exitCodes.cluster);
  } finally {
    await client.close();
  }
}
