// minilb is almost never asked directly: a LAN's dnsmasq or Unbound sits in front. Both run
// here for real on loopback, configured as the README says (dnsmasq `server=/minilb/...` lines;
// Unbound stub zones with `stub-prime: yes` and QNAME minimisation), with Knot as "the internet"
// that holds an out-of-zone CNAME target. Every demo name must resolve through each, the CNAME
// target included, and negative answers must be cached for the SOA's TTL.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { freePort, makeDir, repoRoot, sleep, startMinilb, startProcess, waitFor, type ManagedProcess, type Minilb } from './harness/index.js';
import { encodeWireQuery, exchange } from './harness/dns-wire.js';
import { startKnot, type Knot } from './harness/knot.js';

const TTL = 3; // minilb's -ttl: answers and the SOA, so negative answers are cached this long

// An Ingress whose status names a load balancer outside every zone minilb serves.
const EXTRA_MANIFEST = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: external, namespace: misc, creationTimestamp: "2025-01-01T00:00:00Z" }
spec:
  rules:
    - host: ext.sko.ai
status:
  loadBalancer:
    ingress:
      - hostname: lb.example.net
`;

// Every name the demo (plus the Ingress above) serves, with the addresses it must resolve to.
const EXPECTED: Array<[name: string, type: 'A' | 'AAAA', addresses: string[]]> = [
  ['internal-kubernetes-ingress.haproxy.minilb', 'A', ['10.244.0.15', '10.244.1.22']],
  ['internal-kubernetes-ingress.haproxy.minilb', 'AAAA', ['fd00:10:244:1::16', 'fd00:10:244::f']],
  ['paperless.sko.ai', 'A', ['10.244.0.15', '10.244.1.22']],
  ['mqtt.sko.ai', 'A', ['10.244.2.31']],
  ['mqtt.example.com', 'A', ['10.244.2.31']],
  ['mosquitto.automation.minilb', 'A', ['10.244.2.31']],
  ['grafana.apps.sko.ai', 'A', ['10.244.0.40', '10.244.2.41']],
  ['envoy-public.envoy-gateway.minilb', 'A', ['10.244.0.40', '10.244.2.41']],
  ['ext.sko.ai', 'A', ['203.0.113.10']],
  ['ext.sko.ai', 'AAAA', ['2001:db8::10']],
];

// A loopback address of our own, so peers can use port 53 (what a primed NS address means)
// without colliding with anything else on the machine.
const loopback = () => `127.${randomInt(1, 254)}.${randomInt(1, 254)}.${randomInt(2, 254)}`;

let knot: Knot;
let minilb: Minilb;
let unbound: ManagedProcess;
let unboundPort: number;
let dnsmasq: ManagedProcess;
let dnsmasqPort: number;
let servedOutside: string[];

async function ask(port: number, name: string, type: string) {
  const reply = await exchange(port, encodeWireQuery({ name, type, transport: 'udp', recursionDesired: true, ednsSize: 1232 }, randomInt(0x10000)), 'udp', 5000);
  return dnsPacket.decode(reply);
}

const addressesOf = (packet: dnsPacket.Packet, type: string) =>
  (packet.answers ?? []).filter((r) => r.type === type).map((r) => String(r.data)).sort();

// How many queries for `name` minilb answered (its debug log has one line per query).
function queriesSeen(name: string): number {
  const log = readFileSync(minilb.process.logPath, 'utf8');
  return log.split('\n').filter((line) => line.includes('"dns query"') && line.includes(`"name":"${name}"`)).length;
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

beforeAll(async () => {
  const dir = makeDir('resolvers');
  const knotHost = loopback();
  knot = await startKnot(
    [
      {
        origin: 'example.net',
        text: [
          '$ORIGIN example.net.',
          '@ 3600 IN SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60',
          '@ 3600 IN NS ns.example.net.',
          `ns 3600 IN A ${knotHost}`,
          'lb 60 IN A 203.0.113.10',
          'lb 60 IN AAAA 2001:db8::10',
          '',
        ].join('\n'),
      },
    ],
    { host: knotHost, port: 53 },
  );

  const extra = join(dir, 'external.yaml');
  writeFileSync(extra, EXTRA_MANIFEST);
  const minilbHost = loopback();
  minilb = await startMinilb(
    ['-manifests', join(repoRoot, 'examples/demo-cluster.yaml'), '-manifests', extra, '-ttl', String(TTL), '-upstream', `${knotHost}:53`, '-log-level', 'debug'],
    { dnsHost: minilbHost, dnsPort: 53 },
  );
  servedOutside = ['paperless.sko.ai', 'mqtt.sko.ai', 'mqtt.example.com', 'grafana.apps.sko.ai'];

  // Unbound: one stub zone per zone minilb is authoritative for, primed (stub-prime: yes), and
  // QNAME minimisation on; the internet's example.net as a primed stub too. A CNAME name cannot
  // be a zone (RFC 1034 3.6.2: no NS beside a CNAME to prime), so it is a forward zone, as the
  // README says: Unbound asks it with RD and minilb answers the CNAME with the target's addresses.
  unboundPort = await freePort();
  const stub = (name: string, address: string) => ['stub-zone:', `  name: "${name}"`, `  stub-addr: ${address}@53`, '  stub-prime: yes'];
  writeFileSync(
    join(dir, 'unbound.conf'),
    [
      'server:',
      '  interface: 127.0.0.1',
      `  port: ${unboundPort}`,
      '  do-ip6: no',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${join(dir, 'unbound.pid')}"`,
      '  use-syslog: no',
      '  verbosity: 1',
      '  do-not-query-localhost: no',
      '  qname-minimisation: yes',
      '  module-config: "iterator"',
      '  access-control: 127.0.0.0/8 allow',
      ...stub('minilb', minilbHost),
      ...servedOutside.flatMap((name) => stub(name, minilbHost)),
      ...stub('example.net', knotHost),
      'forward-zone:',
      '  name: "ext.sko.ai"',
      `  forward-addr: ${minilbHost}@53`,
      '',
    ].join('\n'),
  );
  unbound = startProcess({ name: 'unbound', command: 'unbound', args: ['-d', '-c', join(dir, 'unbound.conf')], dir });
  await waitFor(() => tcpOpen(unboundPort), { what: `unbound on 127.0.0.1:${unboundPort}`, timeoutMs: 15_000, intervalMs: 100 });

  // dnsmasq with the README's lines, the internet as its default server.
  dnsmasqPort = await freePort();
  writeFileSync(
    join(dir, 'dnsmasq.conf'),
    [
      `port=${dnsmasqPort}`,
      'listen-address=127.0.0.1',
      'bind-interfaces',
      'no-resolv',
      'no-hosts',
      'user=root',
      `pid-file=${join(dir, 'dnsmasq.pid')}`,
      `server=/minilb/${minilbHost}#53`,
      `server=/sko.ai/${minilbHost}#53`,
      `server=/mqtt.example.com/${minilbHost}#53`,
      `server=${knotHost}#53`,
      '',
    ].join('\n'),
  );
  dnsmasq = startProcess({ name: 'dnsmasq', command: 'dnsmasq', args: ['-k', `--conf-file=${join(dir, 'dnsmasq.conf')}`], dir });
  await waitFor(() => tcpOpen(dnsmasqPort), { what: `dnsmasq on 127.0.0.1:${dnsmasqPort}`, timeoutMs: 15_000, intervalMs: 100 });
});

afterAll(async () => {
  await Promise.all([unbound?.stop(), dnsmasq?.stop()]);
  await Promise.all([minilb?.stop(), knot?.stop()]);
});

describe('through dnsmasq', () => {
  it('answers apps.sko.ai, between grafana.apps.sko.ai and the forwarded sko.ai, NODATA', async () => {
    const reply = await ask(dnsmasqPort, 'apps.sko.ai', 'A');
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.answers).toEqual([]);
  });
});

describe.each([
  ['Unbound (stub-prime, QNAME minimisation)', () => unboundPort],
  ['dnsmasq (the README lines)', () => dnsmasqPort],
])('through %s', (_, port) => {
  it('resolves every demo name, the out-of-zone CNAME target included, every time', async () => {
    // Three rounds: the NS TTL is short, so re-priming happens between them.
    for (let round = 0; round < 3; round++) {
      for (const [name, type, addresses] of EXPECTED) {
        const reply = await ask(port(), name, type);
        expect(reply.rcode, `${name} ${type} round ${round}`).toBe('NOERROR');
        expect(addressesOf(reply, type), `${name} ${type} round ${round}`).toEqual(addresses);
      }
      await sleep(TTL * 1000 + 200);
    }
  });

  it('answers a name below a served hostname NXDOMAIN, and ns.minilb with minilb’s address', async () => {
    const below = await ask(port(), `x${randomBytes(3).toString('hex')}.mqtt.sko.ai`, 'A');
    expect(below.rcode).toBe('NXDOMAIN');
    const nsAddress = await ask(port(), 'ns.minilb', 'A');
    expect(addressesOf(nsAddress, 'A')).toEqual([minilb.address.split(':')[0]]);
  });

  it('caches a negative answer for the SOA’s TTL, then asks again', async () => {
    const name = `gone-${randomBytes(4).toString('hex')}.minilb`;
    const first = await ask(port(), name, 'A');
    expect(first.rcode).toBe('NXDOMAIN');
    expect(first.authorities?.find((r) => r.type === 'SOA')).toBeDefined();
    await waitFor(async () => queriesSeen(name) >= 1, { what: `minilb logging the query for ${name}`, timeoutMs: 2000, intervalMs: 50 });
    const seenAfterFirst = queriesSeen(name);
    for (let i = 0; i < 3; i++) expect((await ask(port(), name, 'A')).rcode).toBe('NXDOMAIN');
    await sleep(300);
    expect(queriesSeen(name), 'answered from the resolver’s cache within the TTL').toBe(seenAfterFirst);
    await sleep(TTL * 1000 + 500);
    // Expired: the next question reaches minilb again (asked until it does, with a margin for
    // whole-second cache clocks and a loaded machine).
    await waitFor(
      async () => {
        expect((await ask(port(), name, 'A')).rcode).toBe('NXDOMAIN');
        await sleep(100);
        return queriesSeen(name) > seenAfterFirst;
      },
      { what: `a fresh query for ${name} after the TTL`, timeoutMs: 3000, intervalMs: 250 },
    );
  });
});
