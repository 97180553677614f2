// Reads the cluster for the CLI: offline from manifest files, or from the API server through a
// kubeconfig (--kubeconfig, in-cluster, KUBECONFIG, ~/.kube/config), with the server's own
// one-shot snapshot reader so both see a cluster the same way.

import { clusterAccess, readManifestsReport, type ClusterObject, type Rejection, type TrimmedNode } from 'minilb-server';
import { CliError, exitCodes } from '../exit-codes.js';

export interface ClusterSource {
  manifests: string[] | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
}

export async function readNodes(source: ClusterSource): Promise<TrimmedNode[]> {
  const objects = await readClusterObjects(source, new Set(['Node']));
  return objects.filter((o): o is TrimmedNode => o.kind === 'Node');
}

// Every object the record index reads, or only the kinds in `only`. What the manifests hold
// that minilb ignores (other kinds, duplicates) is added to `rejections` when given.
export async function readClusterObjects(source: ClusterSource, only?: ReadonlySet<string>, rejections?: Rejection[]): Promise<ClusterObject[]> {
  if (source.manifests && source.manifests.length > 0) {
    try {
      const report = await readManifestsReport(source.manifests);
      rejections?.push(...report.rejections);
      const objects = report.objects;
      return only ? objects.filter((o) => only.has(o.kind)) : objects;
    } catch (err) {
      throw new CliError(`cannot read the manifests: ${(err as Error).message}`, exitCodes.cluster);
    }
  }
  return listFromApi(source, only);
}

async function listFromApi(source: ClusterSource, only: ReadonlySet<string> | undefined): Promise<ClusterObject[]> {
  // Loaded only when needed: client-node's import alone costs ~75 MiB and most of a second.
  const { loadKubeConfig, KubeClient, readClusterSnapshot } = await clusterAccess();
  let kc;
  let from: string;
  try {
    ({ kc, from } = loadKubeConfig(source.kubeconfig));
  } catch (err) {
    // A YAML error in the kubeconfig comes with a multi-line code frame: its first line says where.
    const first = (err as Error).message.split('\n')[0]!.replace(/:\s*$/, '');
    throw new CliError(first.replace(/(^|[\s(])-(kubeconfig|manifests)\b/g, '$1--$2'), exitCodes.cluster);
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
    const { objects, skipped } = await readClusterSnapshot(client, only);
    for (const message of skipped) process.stderr.write(`warning: an object was unreadable and is ignored: ${message}\n`);
    return objects;
  } catch (err) {
    const e = err as { status?: number; message?: string };
    const what = only?.size === 1 ? `${[...only][0]!.toLowerCase()}s` : 'the cluster';
    const hint = e.status === 401 || e.status === 403 ? ` (the credentials need list on ${what})` : '';
    throw new CliError(`cannot list ${what} from ${client.serverUrl}${hint}: ${e.message ?? String(err)}`, exitCodes.cluster);
  } finally {
    await client.close();
  }
}
