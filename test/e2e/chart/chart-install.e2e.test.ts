// The Helm chart against the real API server with the real helm v4: server-side dry runs of
// every mode, install with the README's command, least-privilege RBAC checked as minilb's
// ServiceAccount (SelfSubjectAccessReview), upgrade with changed values, and values the
// schema rejects before anything reaches the cluster.

import { join } from 'node:path';
import { AppsV1Api, AuthorizationV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyYaml, ensurePeers, helm, helmOk, kubeconfigForServiceAccount, parseYaml, repoRoot, startCluster, waitForCrdsEstablished, type Cluster } from '../harness/index.js';
import { dryRunApply, rawApply } from '../live/admin-api.js';
import { chartModes as modes, renderChart as render } from './render-chart.js';

const chart = join(repoRoot, 'charts/minilb');
const deployDir = join(repoRoot, 'examples/deploy');

describe('the chart against the API server', () => {
  let cluster: Cluster;
  let minilbAccount: KubeConfig;
  beforeAll(async () => {
    cluster = await startCluster();
    // Prometheus Operator's own CRD, so the optional ServiceMonitor is checked for real too.
    for (const crd of parseYaml((await ensurePeers()).serviceMonitorCrd)) await rawApply(crd);
    await waitForCrdsEstablished(['servicemonitors.monitoring.coreos.com']);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('every object of every mode passes a server-side dry run, the optional ServiceMonitor too', async () => {
    await applyYaml(join(deployDir, '00-namespace.yaml'));
    for (const mode of modes) {
      for (const obj of await render(mode, 'upstream.servers={192.0.2.53:53}', 'serviceMonitor.enabled=true')) await dryRunApply(obj);
    }
  });

  it('installs with the README command, and the objects are there', async () => {
    // README: helm install minilb charts/minilb --namespace minilb --create-namespace
    const out = await helmOk(['install', 'minilb', chart, '--namespace', 'minilb', '--create-namespace'], { kubeconfig: cluster.kubeconfigPath });
    expect(out).toContain('STATUS: deployed');
    expect(out).toContain('loadBalancerClass: minilb');
    const apps = cluster.kc.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: 'minilb', namespace: 'minilb' });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template.spec?.securityContext?.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '53' }]);
    expect(deployment.spec?.template.spec?.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
    const rbac = cluster.kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.readClusterRole({ name: 'minilb' });
    await rbac.readNamespacedRole({ name: 'minilb-leader-election', namespace: 'minilb' });
    await cluster.kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: 'minilb', namespace: 'minilb' });

    const kc = new KubeConfig();
    kc.loadFromFile(await kubeconfigForServiceAccount('minilb', 'minilb'));
    minilbAccount = kc;
  });

  const can = async (verb: string, resource: string, opts: { group?: string; namespace?: string; subresource?: string } = {}) => {
    const review = await minilbAccount.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb, resource, group: opts.group ?? '', namespace: opts.namespace, subresource: opts.subresource } } },
    });
    return review.status?.allowed === true;
  };

  it("gives minilb's ServiceAccount exactly what it uses, nothing more (SelfSubjectAccessReview)", async () => {
    const needed: Array<[string, string, Parameters<typeof can>[2]?]> = [
      ['list', 'services'],
      ['watch', 'services'],
      ['list', 'nodes'],
      ['watch', 'nodes'],
      ['list', 'endpointslices', { group: 'discovery.k8s.io' }],
      ['watch', 'endpointslices', { group: 'discovery.k8s.io' }],
      ['list', 'ingresses', { group: 'networking.k8s.io' }],
      ['watch', 'httproutes', { group: 'gateway.networking.k8s.io' }],
      ['list', 'gateways', { group: 'gateway.networking.k8s.io' }],
      ['list', 'grpcroutes', { group: 'gateway.networking.k8s.io' }],
      ['list', 'tlsroutes', { group: 'gateway.networking.k8s.io' }],
      ['patch', 'services', { subresource: 'status', namespace: 'shop' }],
      ['create', 'events', { namespace: 'shop' }],
      ['get', 'leases', { group: 'coordination.k8s.io', namespace: 'minilb' }],
      ['create', 'leases', { group: 'coordination.k8s.io', namespace: 'minilb' }],
      ['update', 'leases', { group: 'coordination.k8s.io', namespace: 'minilb' }],
    ];
    for (const [verb, resource, opts] of needed) expect(await can(verb, resource, opts), `${verb} ${resource} ${JSON.stringify(opts ?? {})}`).toBe(true);
    const notNeeded: Array<[string, string, Parameters<typeof can>[2]?]> = [
      ['get', 'secrets', { namespace: 'minilb' }],
      ['list', 'secrets'],
      ['list', 'pods'],
      ['get', 'services', { namespace: 'shop' }],
      ['update', 'services', { namespace: 'shop' }],
      ['patch', 'services', { namespace: 'shop' }],
      ['delete', 'services', { namespace: 'shop' }],
      ['update', 'services', { subresource: 'status', namespace: 'shop' }],
      ['list', 'configmaps'],
      ['delete', 'leases', { group: 'coordination.k8s.io', namespace: 'minilb' }],
      ['get', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-system' }],
      ['create', 'pods', { namespace: 'minilb' }],
      ['patch', 'ingresses', { group: 'networking.k8s.io', namespace: 'shop' }],
    ];
    for (const [verb, resource, opts] of notNeeded) expect(await can(verb, resource, opts), `${verb} ${resource} ${JSON.stringify(opts ?? {})}`).toBe(false);
  });

  it('upgrades with changed values: flags, replicas, the upstream egress rule, a ServiceMonitor, and the Lease rights withdrawn with leader election', async () => {
    await helmOk(
      ['upgrade', 'minilb', chart, '--namespace', 'minilb', '--set', 'ttl=30', '--set', 'replicas=3', '--set', 'upstream.servers={192.0.2.53:5353}', '--set', 'leaderElection.enabled=false', '--set', 'serviceMonitor.enabled=true'],
      { kubeconfig: cluster.kubeconfigPath },
    );
    const deployment = await cluster.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'minilb', namespace: 'minilb' });
    expect(deployment.spec?.replicas).toBe(3);
    expect(deployment.spec?.template.spec?.containers[0]?.args).toEqual(
      expect.arrayContaining(['-ttl=30', '-upstream=192.0.2.53:5353', '-leader-elect=false']),
    );
    const policy = await cluster.kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: 'minilb', namespace: 'minilb' });
    expect(policy.spec?.egress?.flatMap((rule) => rule.ports ?? []).filter((p) => p.port === 5353).map((p) => p.protocol).sort()).toEqual(['TCP', 'UDP']);
    const role = await cluster.kc
      .makeApiClient(RbacAuthorizationV1Api)
      .readNamespacedRole({ name: 'minilb-leader-election', namespace: 'minilb' })
      .then(
        () => 'exists',
        (e: { code?: number }) => e.code,
      );
    expect(role).toBe(404);
    expect(await can('get', 'leases', { group: 'coordination.k8s.io', namespace: 'minilb' })).toBe(false);
    const monitors = (await cluster.kc
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group: 'monitoring.coreos.com', version: 'v1', namespace: 'minilb', plural: 'servicemonitors' })) as { items: { metadata: { name: string } }[] };
    expect(monitors.items.map((m) => m.metadata.name)).toEqual(['minilb']);
    const history = await helmOk(['history', 'minilb', '--namespace', 'minilb', '-o', 'json'], { kubeconfig: cluster.kubeconfigPath });
    expect((JSON.parse(history) as { revision: number; status: string }[]).map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
  });

  it('rejects bad values by the schema, before touching the cluster', async () => {
    const cases: Array<[string, RegExp]> = [
      ['mode=sidecar', /at '\/mode': value must be one of 'deployment', 'daemonset', 'coredns-sidecar'/],
      ['replica=3', /additional properties 'replica' not allowed/],
      ['ttl=five', /at '\/ttl': got string, want null or integer/],
      ['upstream.servers={dns.example}', /at '\/upstream\/servers\/0'/],
      ['domain=Not_A_Zone', /at '\/domain'/],
    ];
    for (const [value, message] of cases) {
      const result = await helm(['upgrade', 'minilb', chart, '--namespace', 'minilb', '--set', value], { kubeconfig: cluster.kubeconfigPath });
      expect(result.code, value).not.toBe(0);
      expect(result.stderr, value).toMatch(/values don't meet the specifications of the schema/);
      expect(result.stderr, value).toMatch(message);
    }
    const history = await helmOk(['history', 'minilb', '--namespace', 'minilb', '-o', 'json'], { kubeconfig: cluster.kubeconfigPath });
    expect((JSON.parse(history) as unknown[]).length).toBe(2);
  });
});
