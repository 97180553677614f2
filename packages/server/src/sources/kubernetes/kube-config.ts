// Finds the cluster credentials the way operators expect: -kubeconfig, then in-cluster
// (a pod's ServiceAccount), then KUBECONFIG, then ~/.kube/config. Exec-plugin users work.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export class KubeConfigError extends Error {}

export function loadKubeConfig(explicitPath: string | undefined, env: NodeJS.ProcessEnv = process.env): { kc: KubeConfig; from: string } {
  const kc = new KubeConfig();
  try {
    if (explicitPath) {
      kc.loadFromFile(explicitPath);
      return { kc, from: explicitPath };
    }
    if (env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccountToken)) {
      kc.loadFromCluster();
      return { kc, from: 'in-cluster ServiceAccount' };
    }
    if (env.KUBECONFIG) {
      kc.loadFromDefault();
      return { kc, from: `KUBECONFIG=${env.KUBECONFIG}` };
    }
    const home = join(homedir(), '.kube', 'config');
    if (existsSync(home)) {
      kc.loadFromFile(home);
      return { kc, from: home };
    }
  } catch (err) {
    throw new KubeConfigError(`cannot load kubeconfig${explicitPath ? ` ${explicitPath}` : ''}: ${(err as Error).message}`);
  }
  throw new KubeConfigError(
    'no cluster to read: pass -kubeconfig, set KUBECONFIG, create ~/.kube/config, run in a pod, or serve files with -manifests',
  );
}

// The namespace this process runs in: the pod's own, else the kubeconfig context's, else default.
export function ownNamespace(kc: KubeConfig): string {
  const file = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}
