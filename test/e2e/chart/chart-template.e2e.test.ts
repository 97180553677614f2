// The Helm chart (charts/minilb) with the real helm v4, offline: lint, and the same objects as
// examples/deploy in each mode, so the chart and the plain manifests never drift apart.
// chart-install.e2e.test.ts takes it to the API server.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { helm, parseYaml, repoRoot } from '../harness/index.js';
import { renderChart as render, chartModes as modes } from './render-chart.js';

const chart = join(repoRoot, 'charts/minilb');
const deployDir = join(repoRoot, 'examples/deploy');

const examples = (...files: string[]) => files.flatMap((f) => parseYaml(readFileSync(join(deployDir, f), 'utf8')));

// Helm's bookkeeping labels are the only difference allowed: the release name and chart
// version in selectors, and metadata labels (which select nothing).
const HELM_LABELS = new Set(['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version', 'helm.sh/chart']);
function comparable(objects: KubernetesObject[]): unknown[] {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (HELM_LABELS.has(key) || key === 'imagePullPolicy') continue; // IfNotPresent is the default for a tagged image
      out[key] = strip(v);
    }
    return out;
  };
  return objects
    .map((o) => {
      const copy = strip(o) as KubernetesObject;
      delete copy.metadata?.labels;
      return copy;
    })
    .sort((a, b) => `${a.kind}/${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.kind}/${b.metadata?.namespace}/${b.metadata?.name}`));
}

const DRIFT = 'charts/minilb and examples/deploy must render the same objects: change both (helm template minilb charts/minilb -n minilb shows the chart side)';

describe('helm lint and template', () => {
  it('lints clean with --strict in every mode', async () => {
    for (const mode of modes) {
      const result = await helm(['lint', '--strict', chart, '--set', `mode=${mode}`]);
      expect(result.code, `${mode}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('deployment mode renders examples/deploy (RBAC, Deployment, Service, PodDisruptionBudget, NetworkPolicy)', async () => {
    const rendered = await render('deployment');
    expect(rendered.map((o) => o.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'].sort(),
    );
    expect(comparable(rendered), DRIFT).toEqual(comparable(examples('10-rbac.yaml', '20-deployment.yaml', '40-networkpolicy.yaml')));
  });

  it('daemonset mode renders the hostPort DaemonSet of examples/deploy', async () => {
    const rendered = await render('daemonset');
    expect(comparable(rendered), DRIFT).toEqual(comparable(examples('10-rbac.yaml', '30-daemonset-hostport.yaml', '40-networkpolicy.yaml')));
  });

  it('coredns-sidecar mode renders the sidecar RBAC, and the patch and Corefile stanza of examples/deploy/coredns-sidecar', async () => {
    const rendered = await render('coredns-sidecar', 'coredns.zones={sko.ai,example.com}');
    const configMap = rendered.find((o) => o.kind === 'ConfigMap') as KubernetesObject & { data: Record<string, string> };
    const objects = rendered.filter((o) => o !== configMap);
    const clusterRole = examples('10-rbac.yaml').filter((o) => o.kind === 'ClusterRole');
    expect(comparable(objects), DRIFT).toEqual(comparable([...clusterRole, ...examples('coredns-sidecar/rbac.yaml')]));
    const { parse } = await import('yaml');
    expect(parse(configMap.data['deployment-patch.yaml']!), DRIFT).toEqual(parse(readFileSync(join(deployDir, 'coredns-sidecar/deployment-patch.yaml'), 'utf8')));
    // The stanza is the first server block of examples/corefile, comments aside.
    const meaningful = (text: string) =>
      text
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean);
    const corefile = meaningful(readFileSync(join(repoRoot, 'examples/corefile'), 'utf8'));
    const stanza = meaningful(configMap.data['Corefile-stanza']!);
    expect(corefile.slice(0, stanza.length), DRIFT).toEqual(stanza);
  });

  it('passes values through as flags, and only the ones set', async () => {
    const [deployment] = (
      await render('deployment', 'ttl=30', 'upstream.servers={192.0.2.53:53,[2001:db8::53]:5353}', 'upstream.allowFrom={192.168.0.0/16,2001:db8::/32}', 'lbClass=homelab', 'extraArgs={-log-level=debug}')
    ).filter(
      (o) => o.kind === 'Deployment',
    ) as Array<KubernetesObject & { spec: { template: { spec: { containers: { args: string[] }[] } } } }>;
    expect(deployment!.spec.template.spec.containers[0]!.args).toEqual([
      '-listen=:53',
      '-health=:8080',
      '-domain=minilb',
      '-lb-class=homelab',
      '-ttl=30',
      '-upstream=192.0.2.53:53,[2001:db8::53]:5353',
      '-upstream-allow=192.168.0.0/16,2001:db8::/32',
      '-log-level=debug',
    ]);
  });

  it('renders a ServiceMonitor and a metrics Service it selects when asked', async () => {
    const rendered = await render('deployment', 'serviceMonitor.enabled=true', 'serviceMonitor.labels.release=prometheus');
    const monitor = rendered.find((o) => o.kind === 'ServiceMonitor') as KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
    const service = rendered.find((o) => o.kind === 'Service' && o.metadata?.name === 'minilb-metrics') as KubernetesObject & { spec: { ports: { name: string }[] } };
    expect(monitor.metadata?.labels?.release).toBe('prometheus');
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata?.labels?.[key]).toBe(value);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]!.port);
    expect((await render('deployment')).some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });
});

