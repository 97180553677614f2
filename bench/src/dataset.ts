// The names every DNS server in the benchmark serves, generated deterministically: Kubernetes
// objects for minilb (manifest files or the harness cluster), headless twins for CoreDNS's
// kubernetes plugin, zone files for CoreDNS's file plugin and Knot, and dnsperf query files
// that ask all of them the same mix of questions.

/** mulberry32: a small seeded PRNG, so every run asks the same questions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DOMAIN = 'minilb';
export const HOSTS_ZONE = 'bench.test';
export const WILDCARD_SUFFIX = `wild.${HOSTS_ZONE}`;
export const CLUSTER_DOMAIN = 'cluster.local';
export const TTL = 5;
const NAMESPACES = 10;

export interface BenchService {
  namespace: string;
  /** Namespace of its headless twin (CoreDNS kubernetes plugin). */
  twinNamespace: string;
  name: string;
  v4: string[];
  v6: string[];
}

export interface ThroughputSet {
  services: BenchService[];
  /** Ingress hostnames and the index of the Service their status hostname names. */
  ingresses: Array<{ namespace: string; name: string; host: string; service: number }>;
  /** `*.wild.bench.test` (an HTTPRoute on a Gateway) follows this Service. */
  wildcardService: number;
  hot: number;
}

function v4(n: number, base: number): string {
  return `10.${base + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** A small homelab-shaped set: 2 IPv4 + 2 IPv6 ready endpoints per Service. */
export function throughputSet(services: number, ingresses: number, hot: number): ThroughputSet {
  const list: BenchService[] = [];
  for (let i = 0; i < services; i++) {
    const ns = i % NAMESPACES;
    list.push({
      namespace: `tp-${ns}`,
      twinNamespace: `tph-${ns}`,
      name: `svc-${i}`,
      v4: [v4(2 * i, 200), v4(2 * i + 1, 200)],
      v6: [`fd00:200::1:${(2 * i).toString(16)}`, `fd00:200::1:${(2 * i + 1).toString(16)}`],
    });
  }
  const ing = [];
  for (let i = 0; i < ingresses; i++) {
    const service = (i * 7) % services;
    ing.push({ namespace: list[service]!.namespace, name: `app-${i}`, host: `app-${i}.${HOSTS_ZONE}`, service });
  }
  return { services: list, ingresses: ing, wildcardService: 0, hot };
}

export const fqdn = (s: BenchService) => `${s.name}.${s.namespace}.${DOMAIN}`;
export const twinFqdn = (s: BenchService) => `${s.name}.${s.twinNamespace}.svc.${CLUSTER_DOMAIN}`;

type Obj = Record<string, unknown>;

const FIXED_TIME = '2026-01-01T00:00:00Z';

// port == targetPort: otherwise minilb raises a PortMappingBypassed Event per Service, and the
// benchmark would measure 10,000 Event writes. The status is the one minilb writes, so the
// servers start on a cluster where minilb already runs (a restart, not a first install).
export function lbService(namespace: string, name: string, opts: { headless?: boolean } = {}): Obj {
  const ports = [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }];
  if (opts.headless) return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: 'None', ports } };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'minilb',
      // NodePorts would run out (2768 of them) long before 10,000 Services.
      allocateLoadBalancerNodePorts: false,
      ipFamilyPolicy: 'SingleStack',
      ports,
    },
    status: { loadBalancer: { ingress: [{ hostname: `${name}.${namespace}.${DOMAIN}` }] } },
  };
}

export function endpointSlice(namespace: string, service: string, family: 'IPv4' | 'IPv6', addresses: string[], suffix = family.toLowerCase()): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${suffix}`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: family,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true, serving: true, terminating: false } })),
  };
}

export function ingress(namespace: string, name: string, host: string, statusHostname?: string): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace },
    spec: {
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] } }],
    },
    ...(statusHostname ? { status: { loadBalancer: { ingress: [{ hostname: statusHostname }] } } } : {}),
  };
}

export function gateway(namespace: string, name: string, listenerHost: string, statusHostname?: string): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: {
      gatewayClassName: 'bench',
      listeners: [{ name: 'http', hostname: listenerHost, port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }],
    },
    ...(statusHostname ? { status: { addresses: [{ type: 'Hostname', value: statusHostname }] } } : {}),
  };
}

export function httpRoute(namespace: string, name: string, hostnames: string[], gw: { namespace: string; name: string }): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: { parentRefs: [{ name: gw.name, namespace: gw.namespace }], hostnames },
  };
}

/**
 * The throughput set as Kubernetes objects: minilb's LoadBalancer Services (selector-less, with
 * EndpointSlices), Ingresses and the wildcard Gateway + HTTPRoute; with `twins`, also a headless
 * Service per Service for CoreDNS's kubernetes plugin, with the same endpoints. Objects carry
 * their status; a cluster writes it through the status subresource afterwards.
 */
export function throughputObjects(set: ThroughputSet, opts: { twins: boolean; manifest?: boolean }): Obj[] {
  const out: Obj[] = [];
  const stamp = (o: Obj): Obj => {
    // Manifest mode reads creationTimestamp for precedence; the API server sets its own.
    if (opts.manifest) (o.metadata as Obj).creationTimestamp = FIXED_TIME;
    return o;
  };
  for (const s of set.services) {
    out.push(stamp(lbService(s.namespace, s.name)));
    out.push(endpointSlice(s.namespace, s.name, 'IPv4', s.v4));
    out.push(endpointSlice(s.namespace, s.name, 'IPv6', s.v6));
    if (opts.twins) {
      out.push(lbService(s.twinNamespace, s.name, { headless: true }));
      out.push(endpointSlice(s.twinNamespace, s.name, 'IPv4', s.v4));
      out.push(endpointSlice(s.twinNamespace, s.name, 'IPv6', s.v6));
    }
  }
  for (const i of set.ingresses) out.push(stamp(ingress(i.namespace, i.name, i.host, fqdn(set.services[i.service]!))));
  const target = set.services[set.wildcardService]!;
  const gw = { namespace: target.namespace, name: 'wild' };
  out.push(stamp(gateway(gw.namespace, gw.name, `*.${WILDCARD_SUFFIX}`, fqdn(target))));
  out.push(stamp(httpRoute(gw.namespace, 'wild', [`*.${WILDCARD_SUFFIX}`], gw)));
  return out;
}

/** Zone files with the same answers minilb gives, for CoreDNS's file plugin and Knot. */
export function zoneFiles(set: ThroughputSet): Record<string, string> {
  const soa = (origin: string) => [
    `$ORIGIN ${origin}.`,
    `$TTL ${TTL}`,
    `@ ${TTL} IN SOA ns.${origin}. hostmaster.${origin}. 1 3600 600 86400 ${TTL}`,
    // An out-of-zone name server: no glue needed, nothing for Knot's checks to flag.
    `@ IN NS ns.nameserver.invalid.`,
  ];
  const records = (owner: string, s: BenchService) => [...s.v4.map((a) => `${owner} IN A ${a}`), ...s.v6.map((a) => `${owner} IN AAAA ${a}`)];
  const minilb = soa(DOMAIN);
  for (const s of set.services) minilb.push(...records(`${s.name}.${s.namespace}`, s));
  const hosts = soa(HOSTS_ZONE);
  for (const i of set.ingresses) hosts.push(...records(i.host.slice(0, -HOSTS_ZONE.length - 1), set.services[i.service]!));
  hosts.push(...records(`*.${WILDCARD_SUFFIX.slice(0, -HOSTS_ZONE.length - 1)}`, set.services[set.wildcardService]!));
  return { [DOMAIN]: `${minilb.join('\n')}\n`, [HOSTS_ZONE]: `${hosts.join('\n')}\n` };
}

export type QueryKind = 'hot-A' | 'hot-AAAA' | 'service-A' | 'ingress-A' | 'wildcard-A' | 'nxdomain';

/** The mix, in percent. */
export const QUERY_MIX: Array<[QueryKind, number]> = [
  ['hot-A', 40],
  ['hot-AAAA', 10],
  ['service-A', 10],
  ['ingress-A', 15],
  ['wildcard-A', 10],
  ['nxdomain', 15],
];

export interface QueryFiles {
  /** For minilb, CoreDNS file and Knot. */
  zone: string;
  /**
   * For CoreDNS's kubernetes plugin, which serves only Service names: every line asks for the
   * headless twin of the Service the original name resolves to (same answers), NXDOMAIN lines
   * a missing Service in a twin namespace.
   */
  kubernetes: string;
  lines: number;
}

export function queryFiles(set: ThroughputSet, lines: number, seed = 42): QueryFiles {
  const rand = seededRandom(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const zone: string[] = [];
  const kube: string[] = [];
  const wildcardPool = 500;
  const nxPool = 500;
  for (let l = 0; l < lines; l++) {
    let r = rand() * 100;
    let kind: QueryKind = 'nxdomain';
    for (const [k, pct] of QUERY_MIX) {
      if (r < pct) {
        kind = k;
        break;
      }
      r -= pct;
    }
    switch (kind) {
      case 'hot-A':
      case 'hot-AAAA':
      case 'service-A': {
        const s = set.services[kind === 'service-A' ? pick(set.services.length) : pick(set.hot)]!;
        const t = kind === 'hot-AAAA' ? 'AAAA' : 'A';
        zone.push(`${fqdn(s)} ${t}`);
        kube.push(`${twinFqdn(s)} ${t}`);
        break;
      }
      case 'ingress-A': {
        const i = set.ingresses[pick(set.ingresses.length)]!;
        zone.push(`${i.host} A`);
        kube.push(`${twinFqdn(set.services[i.service]!)} A`);
        break;
      }
      case 'wildcard-A':
        zone.push(`w${pick(wildcardPool)}.${WILDCARD_SUFFIX} A`);
        kube.push(`${twinFqdn(set.services[set.wildcardService]!)} A`);
        break;
      case 'nxdomain': {
        const n = pick(nxPool);
        zone.push(`nx-${n}.tp-${n % NAMESPACES}.${DOMAIN} A`);
        kube.push(`nx-${n}.tph-${n % NAMESPACES}.svc.${CLUSTER_DOMAIN} A`);
        break;
      }
    }
  }
  return { zone: `${zone.join('\n')}\n`, kubernetes: `${kube.join('\n')}\n`, lines };
}

/** The cluster-scale set: `services` LoadBalancer Services with `perService` IPv4 endpoints each. */
export interface ScaleSet {
  services: number;
  endpointsPerService: number;
  ingresses: number;
  routes: number;
}

export const scaleNamespace = (i: number) => `scale-${Math.floor(i / 200)}`;

export function* scaleObjects(set: ScaleSet): Generator<Obj> {
  for (let i = 0; i < set.services; i++) {
    const ns = scaleNamespace(i);
    yield lbService(ns, `svc-${i}`);
    const addrs = Array.from({ length: set.endpointsPerService }, (_, k) => v4(i * set.endpointsPerService + k, 64));
    yield endpointSlice(ns, `svc-${i}`, 'IPv4', addrs, 'a');
  }
}

export function scaleNamespaces(set: ScaleSet): string[] {
  return Array.from({ length: Math.ceil(set.services / 200) }, (_, k) => `scale-${k}`);
}
