// `helm template` of charts/minilb as the README installs it (release minilb, namespace minilb).
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { helmOk, parseYaml, repoRoot } from '../harness/index.js';

export const chartModes = ['deployment', 'daemonset', 'coredns-sidecar'] as const;
export type ChartMode = (typeof chartModes)[number];

export async function renderChart(mode: ChartMode, ...set: string[]): Promise<KubernetesObject[]> {
  const chart = join(repoRoot, 'charts/minilb');
  const out = await helmOk(['template', 'minilb', chart, '--namespace', 'minilb', '--set', `mode=${mode}`, ...set.flatMap((s) => ['--set', s])]);
  return parseYaml(out);
}
