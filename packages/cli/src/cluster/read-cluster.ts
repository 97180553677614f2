// Reads every object the record index needs, offline from manifests or once from the API
// server, for commands that explain or check the cluster (inspect, doctor, corefile).

import type { ClusterObject } from 'minilb-server/index/cluster-objects';
import { readManifests } from 'minilb-server/sources/manifest-files';
import { KubeClient } from 'minilb-server/sources/kubernetes/kube-client';
import { loadKubeConfig } from 'minilb-server/sources/kubernetes/kube-config';
import { readClusterSnapshot } from 'minilb-server/sources/kubernetes/cluster-snapshot';
import { CliError, exitCodes } from '../exit-codes.js';
import type { ClusterSource } from './cluster-nodes.js';

export async function readCluster(source: ClusterSource): Promise<{ objects: ClusterObject[]; warnings: string[] }> {
  if (source.manifests && source.manifests.length > 0) {
    try {
      return { objects: await readManifests(source.manifests), warnings: [] };
    } catch (err) {
      throw new CliError(`cannot read the manifests: ${(err as Error).message}`, exitCodes.cluster);
    }
  }
  let client: KubeClient | undefined;
  try {
    const { kc } = loadKubeConfig(source.kubeconfig);
    if (source.context) kc.setCurrentContext(source.context);
    client = await KubeClient.create(kc);
    const { objects, skipped } = await readClusterSnapshot(client);
    return { objects, warnings: skipped.map((s) => `skipped a malformed object: ${s}`) };
  } catch (err) {
    throw new CliError(`cannot read the cluster: ${(err as Error).message}`, exitCodes.cluster);
  } finally {
    await client?.close();
  }
}
