// Smoke scenario 1: the real API server answers, and the pinned Gateway API CRDs (standard,
// then experimental for TLSRoute's older versions) install and become Established.
import { ApiException, ApisApi, AuthenticationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyYaml, installGatewayApiCrds, minilbServiceAccountKubeconfig, startCluster, type Cluster } from './harness/index.js';

describe('the API server', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts in under 30 seconds from cached peers', () => {
    expect((cluster.timings.total ?? Infinity) - (cluster.timings.peers ?? 0)).toBeLessThan(30);
  });

  it('answers with the pinned Kubernetes version and knows the admin as system:masters', async () => {
    // .cache/e2e/kubernetes-v1.37.2/bin/kube-apiserver -> v1.37.2
    const pinned = basename(dirname(dirname(cluster.peers.kubeApiserver))).replace(/^kubernetes-/, '');
    const version = await cluster.kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(pinned);

    const review = await cluster.kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe('minilb-e2e-admin');
    expect(review.status?.userInfo?.groups).toContain('system:masters');

    const namespaces = await cluster.kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));

    // The `kubernetes` Service is dual-stack, from both service CIDRs.
    const svc = await cluster.kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(svc.spec?.clusterIPs?.[0]).toBe('10.96.0.1');
  });

  it('installs the standard Gateway API CRDs, then the experimental ones, all Established', async () => {
    const standard = await installGatewayApiCrds('standard');
    expect(standard).toEqual(
      expect.arrayContaining([
        'gatewayclasses.gateway.networking.k8s.io',
        'gateways.gateway.networking.k8s.io',
        'httproutes.gateway.networking.k8s.io',
        'grpcroutes.gateway.networking.k8s.io',
        'tlsroutes.gateway.networking.k8s.io',
      ]),
    );
    const custom = cluster.kc.makeApiClient(CustomObjectsApi);
    const servedKinds = async (version: string) =>
      (await custom.getAPIResources({ group: 'gateway.networking.k8s.io', version })).resources.map((r) => r.name);
    expect(await servedKinds('v1')).toEqual(expect.arrayContaining(['gateways', 'httproutes', 'grpcroutes', 'tlsroutes']));

    const experimental = await installGatewayApiCrds('experimental');
    expect(experimental).toEqual(expect.arrayContaining(['tlsroutes.gateway.networking.k8s.io', 'tcproutes.gateway.networking.k8s.io']));
    // The experimental channel serves TLSRoute's older versions too (v1alpha2, v1alpha3).
    expect(await servedKinds('v1alpha2')).toContain('tlsroutes');
    expect(await servedKinds('v1alpha3')).toContain('tlsroutes');

    const groups = await cluster.kc.makeApiClient(ApisApi).getAPIVersions();
    const gatewayGroup = groups.groups.find((g) => g.name === 'gateway.networking.k8s.io');
    expect(gatewayGroup?.versions.map((v) => v.version)).toEqual(expect.arrayContaining(['v1', 'v1alpha2']));
  });

  it('stores Gateway API objects: a Gateway, an HTTPRoute and a TLSRoute written as v1alpha2 and read as v1', async () => {
    await applyYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: envoy-gateway }
spec:
  gatewayClassName: envoy
  listeners:
    - { name: apps, hostname: "*.apps.example.com", port: 443, protocol: HTTPS }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: grafana, namespace: monitoring }
spec:
  parentRefs: [{ name: public, namespace: envoy-gateway, sectionName: apps }]
  hostnames: [grafana.apps.example.com]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: { name: mqtt, namespace: automation }
spec:
  parentRefs: [{ name: public, namespace: envoy-gateway }]
  hostnames: [mqtt.apps.example.com]
  rules: [{ backendRefs: [{ name: mosquitto, port: 8883 }] }]
`);
    const custom = cluster.kc.makeApiClient(CustomObjectsApi);
    const route = (await custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'monitoring',
      plural: 'httproutes',
      name: 'grafana',
    })) as { spec: { hostnames: string[] } };
    expect(route.spec.hostnames).toEqual(['grafana.apps.example.com']);
    const tls = (await custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'automation',
      plural: 'tlsroutes',
      name: 'mqtt',
    })) as { apiVersion: string; spec: { hostnames: string[] } };
    expect(tls.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(tls.spec.hostnames).toEqual(['mqtt.apps.example.com']);

    // The CRD's schema is enforced: an invalid hostname is rejected, with the server's reason.
    await expect(
      applyYaml(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: broken, namespace: monitoring }
spec: { hostnames: ["not a hostname"] }
`),
    ).rejects.toThrow(/applying HTTPRoute monitoring\/broken failed: HTTP 422: .*hostnames/);
  });

  it("gives minilb's ServiceAccount exactly examples/deploy's RBAC: it reads what it serves, not Secrets", async () => {
    const identity = await minilbServiceAccountKubeconfig();
    expect(identity).toMatchObject({ namespace: 'minilb', serviceAccount: 'minilb' });
    const kc = new KubeConfig();
    kc.loadFromFile(identity.kubeconfigPath);

    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe('system:serviceaccount:minilb:minilb');
    await kc.makeApiClient(CoreV1Api).listServiceForAllNamespaces();
    await kc.makeApiClient(DiscoveryV1Api).listEndpointSliceForAllNamespaces();
    const denied = await kc
      .makeApiClient(CoreV1Api)
      .listSecretForAllNamespaces()
      .then(
        () => 'allowed',
        (e: unknown) => (e instanceof ApiException ? e.code : e),
      );
    expect(denied).toBe(403);
  });

  it('comes back after an API server restart with its data (etcd keeps it)', async () => {
    const core = () => cluster.kc.makeApiClient(CoreV1Api);
    await core().createNamespace({ body: { metadata: { name: 'survives-restart' } } });
    await cluster.apiserver.restart();
    await cluster.waitReady();
    const ns = await core().readNamespace({ name: 'survives-restart' });
    expect(ns.metadata?.name).toBe('survives-restart');
  });
});
