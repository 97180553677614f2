// Smoke scenario 4: CoreDNS, started with examples/corefile (moved to loopback ports), forwards
// the minilb zone and the demo's domains to a minilb server reading examples/demo-cluster.yaml,
// answers cluster.local itself from the real API server, and forwards everything else to a
// second local upstream. CoreDNS's own health checks (`. IN NS`) never keep minilb marked down.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adaptCorefile,
  answersOf,
  digAt,
  freePort,
  metricValue,
  repoRoot,
  scrape,
  startCluster,
  startCoreDNS,
  startMinilb,
  waitFor,
  sleep,
  type Cluster,
  type CoreDNS,
  type Minilb,
} from './harness/index.js';

/** The second upstream: a zone of its own, and a log of every query it gets. */
function upstreamCorefile(port: number): string {
  return `example.org:${port} {
    bind 127.0.0.1
    file example.org.zone
    log
}
`;
}

const EXAMPLE_ORG_ZONE = `$ORIGIN example.org.
@     3600 IN SOA ns.example.org. hostmaster.example.org. 1 7200 3600 1209600 60
@     3600 IN NS  ns.example.org.
ns    3600 IN A   192.0.2.53
www     60 IN A   192.0.2.80
www     60 IN AAAA 2001:db8::80
`;

// What examples/demo-cluster.yaml says: the ingress controller's two ready pods (the
// terminating third one is left out while ready ones exist).
const INGRESS_V4 = ['10.244.0.15', '10.244.1.22'];
const INGRESS_V6 = ['fd00:10:244:1::16', 'fd00:10:244::f'];

describe('CoreDNS with examples/corefile in front of minilb', () => {
  let cluster: Cluster;
  let upstream: CoreDNS;
  let minilb: Minilb;
  let coredns: CoreDNS;
  let corednsPort: number;
  let metricsUrl: string;

  beforeAll(async () => {
    // The example's `.` block runs the kubernetes plugin: give it the real API server.
    cluster = await startCluster();
    const upstreamPort = await freePort();
    upstream = await startCoreDNS(upstreamCorefile(upstreamPort), { files: { 'example.org.zone': EXAMPLE_ORG_ZONE } });
    minilb = await startMinilb(['-manifests', join(repoRoot, 'examples/demo-cluster.yaml')]);

    corednsPort = await freePort();
    const [healthPort, readyPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const corefile = adaptCorefile(readFileSync(join(repoRoot, 'examples/corefile'), 'utf8'), {
      dnsPort: corednsPort,
      addresses: { '127.0.0.1:5353': minilb.address },
      upstream: `127.0.0.1:${upstreamPort}`,
      healthPort,
      readyPort,
      metricsPort,
      kubeconfig: cluster.kubeconfigPath,
    });
    coredns = await startCoreDNS(corefile);
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // `ready` says 200 once every plugin is (the kubernetes plugin has synced).
    await waitFor(async () => (await fetch(`http://127.0.0.1:${readyPort}/ready`)).status === 200, {
      what: 'CoreDNS /ready',
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await coredns?.stop(1000);
    await minilb?.stop();
    await upstream?.stop();
    await cluster?.stop();
  });

  it('answers the demo names through CoreDNS as minilb answers them', async () => {
    const ingressA = await digAt(corednsPort, 'internal-kubernetes-ingress.haproxy.minilb', 'A');
    expect(ingressA.status).toBe('NOERROR');
    expect(answersOf(ingressA, 'A')).toEqual(INGRESS_V4);
    const ingressAAAA = await digAt(corednsPort, 'internal-kubernetes-ingress.haproxy.minilb', 'AAAA');
    expect(answersOf(ingressAAAA, 'AAAA')).toEqual(INGRESS_V6);

    // An Ingress host whose status names the ingress controller's minilb hostname.
    const paperless = await digAt(corednsPort, 'paperless.sko.ai', 'A');
    expect(paperless.status).toBe('NOERROR');
    expect(answersOf(paperless, 'A')).toEqual(INGRESS_V4);

    // Annotation and Gateway API names, and a Service of another class, give through CoreDNS
    // exactly what minilb gives directly.
    for (const [name, type] of [
      ['mqtt.sko.ai', 'A'],
      ['mqtt.example.com', 'A'],
      ['grafana.apps.sko.ai', 'A'],
      ['traefik.kube-system.minilb', 'A'],
    ] as const) {
      const [via, direct] = await Promise.all([digAt(corednsPort, name, type), digAt(minilb.dnsPort, name, type)]);
      expect({ name, status: via.status, answers: answersOf(via, type) }).toEqual({
        name,
        status: direct.status,
        answers: answersOf(direct, type),
      });
    }
    expect(answersOf(await digAt(corednsPort, 'traefik.kube-system.minilb', 'A'), 'A')).toEqual([]);
  });

  it('answers cluster.local from the API server and forwards other names to the second upstream only', async () => {
    const kubernetes = await digAt(corednsPort, 'kubernetes.default.svc.cluster.local', 'A');
    expect(answersOf(kubernetes, 'A')).toEqual(['10.96.0.1']);

    const www = await digAt(corednsPort, 'www.example.org', 'A');
    expect(www.status).toBe('NOERROR');
    expect(answersOf(www, 'A')).toEqual(['192.0.2.80']);
    expect(answersOf(await digAt(corednsPort, 'www.example.org', 'AAAA'), 'AAAA')).toEqual(['2001:db8::80']);
    expect((await digAt(corednsPort, 'missing.example.org', 'A')).status).toBe('NXDOMAIN');

    // The upstream saw the example.org queries and none of the names minilb serves.
    const log = await waitFor(() => {
      const text = upstream.process.readLog();
      return text.includes('www.example.org.') ? text : undefined;
    }, { what: 'the upstream logging the forwarded query' });
    expect(log).not.toMatch(/\.minilb\.|sko\.ai\.|cluster\.local\./);
  });

  it("keeps minilb up under CoreDNS's health checks, also after minilb hung for a while", async () => {
    const to = { proxy_name: 'forward', to: minilb.address };
    // The health check's query, straight to minilb: any parseable reply counts as healthy.
    const probe = await digAt(minilb.dnsPort, '.', 'NS');
    expect(probe.exitCode).toBe(0);
    expect(probe.flags).toContain('qr');

    expect(metricValue(await scrape(metricsUrl), 'coredns_proxy_healthcheck_failures_total', to)).toBe(0);

    // Hang minilb (SIGSTOP keeps its sockets): forwarded queries fail, CoreDNS starts health
    // checking every 5 s (health_check 5s) and after max_fails (2) + 1 failures marks it down.
    minilb.process.pause();
    try {
      const fresh = () => `hang-${randomBytes(4).toString('hex')}.minilb`;
      await digAt(corednsPort, fresh(), 'A', '+time=1', '+tries=1');
      await waitFor(
        async () => metricValue(await scrape(metricsUrl), 'coredns_proxy_healthcheck_failures_total', to) >= 3,
        { what: 'CoreDNS marking the hung minilb down (3 failed health checks)', timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      minilb.process.resume();
    }

    // Back up, the next health check succeeds and CoreDNS marks minilb up again: the failure
    // count stops growing and queries stop taking the "all upstreams down" path.
    await waitFor(
      async () => {
        const before = metricValue(await scrape(metricsUrl), 'coredns_proxy_healthcheck_failures_total', to);
        // Longer than one failing round (1 s timeout + health_check 5s): a failing check would show.
        await sleep(8000);
        return metricValue(await scrape(metricsUrl), 'coredns_proxy_healthcheck_failures_total', to) === before;
      },
      { what: 'health checks against the resumed minilb succeeding', timeoutMs: 30_000, intervalMs: 0 },
    );
    const brokenBefore = metricValue(await scrape(metricsUrl), 'coredns_forward_healthcheck_broken_total');
    for (let i = 0; i < 5; i++) {
      // Names nobody asked before: cache misses that CoreDNS must forward to minilb.
      const miss = await digAt(corednsPort, `after-${i}-${randomBytes(3).toString('hex')}.minilb`, 'A');
      expect(miss.status).toBe('NXDOMAIN');
    }
    expect(answersOf(await digAt(corednsPort, 'internal-kubernetes-ingress.haproxy.minilb', 'A'), 'A')).toEqual(INGRESS_V4);
    expect(metricValue(await scrape(metricsUrl), 'coredns_forward_healthcheck_broken_total')).toBe(brokenBefore);
  });
});
