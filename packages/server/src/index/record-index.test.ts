import { describe, expect, it } from 'vitest';
import { RecordIndex } from './record-index.js';
import { gateway, ingress, route, service, slice } from '../../testing/objects.fixture.js';
import type { Lookup } from './name-lookup.js';

function newIndex() {
  return new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
}

function addresses(result: Lookup): string[] {
  if (result.kind !== 'found') return [result.kind];
  return [...result.answers.a, ...result.answers.aaaa].sort();
}

function withWeb(index: RecordIndex, ns = 'shop', name = 'web', ips = ['10.244.1.5', '10.244.2.6']) {
  index.upsert(service(ns, name));
  index.upsert(slice(ns, `${name}-a`, name, 'IPv4', ips.map((ip) => ({ ip }))));
}

describe('Service names', () => {
  it('answers an eligible Service with its ready endpoints', () => {
    const index = newIndex();
    withWeb(index);
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.2.6']);
    expect(addresses(index.lookup('WEB.Shop.minilb.'))).toEqual(['10.244.1.5', '10.244.2.6']);
  });

  it('never answers a Service of another class or type, and forgets one that loses its class', () => {
    const index = newIndex();
    index.upsert(service('kube-system', 'traefik', { class: 'metallb' }));
    index.upsert(service('shop', 'db', { type: 'ClusterIP' }));
    index.upsert(slice('kube-system', 'traefik-a', 'traefik', 'IPv4', [{ ip: '10.244.1.50' }]));
    expect(index.lookup('traefik.kube-system.minilb').kind).toBe('nxdomain');
    expect(index.lookup('db.shop.minilb').kind).toBe('nxdomain');

    withWeb(index);
    expect(addresses(index.lookup('web.shop.minilb'))).toHaveLength(2);
    index.upsert(service('shop', 'web', { class: 'other' }));
    expect(index.lookup('web.shop.minilb').kind).toBe('nxdomain');
    expect(index.lookup('shop.minilb').kind).toBe('nxdomain');
  });

  it('skips not-ready endpoints and falls back to serving-but-terminating ones only when none is ready', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    index.upsert(
      slice('shop', 'web-a', 'web', 'IPv4', [
        { ip: '10.244.1.5', ready: true },
        { ip: '10.244.1.6', ready: false },
        { ip: '10.244.1.7', ready: false, serving: true, terminating: true },
      ]),
    );
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5']);

    index.upsert(
      slice('shop', 'web-a', 'web', 'IPv4', [
        { ip: '10.244.1.6', ready: false },
        { ip: '10.244.1.7', ready: false, serving: true, terminating: true },
        { ip: '10.244.1.8', ready: false, serving: false, terminating: true },
      ]),
    );
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.7']);
    expect(index.explain('web.shop.minilb').services[0]?.fallbackToTerminating).toBe(true);
  });

  it('treats a missing ready condition as ready, and answers everything with publishNotReadyAddresses', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web', { publishNotReady: true }));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '10.244.1.5' }, { ip: '10.244.1.6', ready: false }]));
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual(['10.244.1.5', '10.244.1.6']);
  });

  it('answers A and AAAA from dual-stack slices and de-duplicates addresses across slices', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }]));
    index.upsert(slice('shop', 'web-b', 'web', 'IPv4', [{ ip: '10.244.2.6' }]));
    index.upsert(slice('shop', 'web-c', 'web', 'IPv6', [{ ip: 'fd00:10:244:1::5' }]));
    const result = index.lookup('web.shop.minilb');
    expect(result.kind === 'found' && result.answers.a.sort()).toEqual(['10.244.1.5', '10.244.2.6']);
    expect(result.kind === 'found' && result.answers.aaaa).toEqual(['fd00:10:244:1::5']);
  });

  it('answers NODATA for a Service without endpoints and for its namespace (an empty non-terminal)', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    expect(index.lookup('web.shop.minilb')).toEqual({ kind: 'found', answers: { a: [], aaaa: [], cname: undefined, srv: [] } });
    expect(index.lookup('shop.minilb').kind).toBe('found');
    expect(index.lookup('minilb').kind).toBe('found');
    expect(index.lookup('nope.shop.minilb').kind).toBe('nxdomain');
    expect(index.lookup('other.minilb').kind).toBe('nxdomain');
    expect(index.lookup('example.com').kind).toBe('unknown');
    index.remove('Service', 'shop', 'web');
    expect(index.lookup('shop.minilb').kind).toBe('nxdomain');
  });

  it('ignores FQDN slices and slices of other Services', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    index.upsert(slice('shop', 'api-a', 'api', 'IPv4', [{ ip: '10.244.9.9' }]));
    const fqdn = slice('shop', 'web-f', 'web', 'IPv4', [{ ip: 'example.com' }]);
    index.upsert({ ...fqdn, addressType: 'FQDN' });
    expect(addresses(index.lookup('web.shop.minilb'))).toEqual([]);
  });

  it('serves SRV from named ports with per-endpoint target names that resolve', () => {
    const index = newIndex();
    index.upsert(service('shop', 'web'));
    index.upsert(slice('shop', 'web-a', 'web', 'IPv4', [{ ip: '10.244.1.5' }], [{ name: 'http', port: 8080, protocol: 'TCP' }]));
    index.upsert(slice('shop', 'web-b', 'web', 'IPv6', [{ ip: 'fd00::5' }], [{ name: 'http', port: 8080, protocol: 'TCP' }]));
    const srv = index.lookup('_http._tcp.web.shop.minilb');
    expect(srv.kind === 'found' && srv.answers.srv.map((s) => `${s.port} ${s.target}`).sort()).toEqual([
      '8080 10-244-1-5.web.shop.minilb',
      '8080 fd00--5.web.shop.minilb',
    ]);
    expect(addresses(index.lookup('10-244-1-5.web.shop.minilb'))).toEqual(['10.244.1.5']);
    expect(addresses(index.lookup('fd00--5.web.shop.minilb'))).toEqual(['fd00::5']);
    expect(index.lookup('10-244-1-99.web.shop.minilb').kind).toBe('nxdomain');
    expect(index.lookup('_tcp.web.shop.minilb').kind).toBe('found');
    expect(index.lookup('_udp.web.shop.minilb').kind).toBe('nxdomain');
    expect(index.lookup('_grpc._tcp.web.shop.minilb').kind).toBe('nxdomain');
  });
});

describe('minilb/host and minilb/exclude', () => {
  it('gives a Service every name of the comma list, trimmed and lower-cased, and skips invalid ones with a reason', () => {
    const index = newIndex();
    index.upsert(service('automation', 'mosquitto', { annotations: { 'minilb/host': ' MQTT.sko.ai., mqtt.example.com,bad_name!,' } }));
    index.upsert(slice('automation', 'm-a', 'mosquitto', 'IPv4', [{ ip: '10.244.2.31' }]));
    expect(addresses(index.lookup('mqtt.sko.ai'))).toEqual(['10.244.2.31']);
    expect(addresses(index.lookup('mqtt.example.com'))).toEqual(['10.244.2.31']);
    expect(index.problems().join('\n')).toContain('bad_name!');
  });

  it("explains a name with its own object's problems only, not those of an object whose name starts the same", () => {
    const index = newIndex();
    index.upsert(ingress('shop', 'web', ['shop.example.com', 'bad_one!'], [{ ip: '192.0.2.10' }]));
    index.upsert(ingress('shop', 'web2', ['other.example.com', 'bad_two!'], [{ ip: '192.0.2.11' }]));
    const warnings = index.explain('shop.example.com').warnings.join('\n');
    expect(warnings).toContain('bad_one!');
    expect(warnings).not.toContain('bad_two!');
  });

  it('drops stale names when the annotation is edited, and everything on minilb/exclude', () => {
    const index = newIndex();
    index.upsert(service('automation', 'mosquitto', { annotations: { 'minilb/host': 'mqtt.sko.ai,old.sko.ai' } }));
    index.upsert(service('automation', 'mosquitto', { annotations: { 'minilb/host': 'mqtt.sko.ai' } }));
    expect(index.lookup('old.sko.ai').kind).toBe('unknown');
    expect(index.lookup('mqtt.sko.ai').kind).toBe('found');
    index.upsert(service('automation', 'mosquitto', { annotations: { 'minilb/host': 'mqtt.sko.ai', 'minilb/exclude': 'true' } }));
    expect(index.lookup('mqtt.sko.ai').kind).toBe('unknown');
    expect(index.lookup('mosquitto.automation.minilb').kind).toBe('nxdomain');
  });
});

describe('Ingress', () => {
  it('follows a status hostname inside the zone to the Service, answers a status IP as is, and a foreign hostname as CNAME', () => {
    const index = newIndex();
    withWeb(index, 'haproxy', 'ingress', ['10.244.0.15', '10.244.1.22']);
    index.upsert(ingress('paperless', 'paperless-ngx', ['paperless.sko.ai'], [{ hostname: 'ingress.haproxy.minilb' }]));
    index.upsert(ingress('misc', 'fixed', ['fixed.sko.ai'], [{ ip: '192.0.2.10' }, { ip: '2001:db8::10' }]));
    index.upsert(ingress('misc', 'cloud', ['cloud.sko.ai'], [{ hostname: 'lb.example.net.' }]));
    expect(addresses(index.lookup('paperless.sko.ai'))).toEqual(['10.244.0.15', '10.244.1.22']);
    expect(addresses(index.lookup('fixed.sko.ai'))).toEqual(['192.0.2.10', '2001:db8::10']);
    const cloud = index.lookup('cloud.sko.ai');
    expect(cloud.kind === 'found' && cloud.answers.cname).toBe('lb.example.net');
  });

  it('matches a "*." host against exactly one label', () => {
    const index = newIndex();
    index.upsert(ingress('misc', 'wild', ['*.apps.sko.ai'], [{ ip: '192.0.2.20' }]));
    expect(addresses(index.lookup('grafana.apps.sko.ai'))).toEqual(['192.0.2.20']);
    expect(index.lookup('a.b.apps.sko.ai').kind).toBe('unknown');
    expect(index.lookup('apps.sko.ai').kind).toBe('unknown');
  });

  it('answers a name below a served hostname NXDOMAIN from that apex, and the names above it as empty non-terminals', () => {
    const index = newIndex();
    index.upsert(ingress('misc', 'mqtt', ['mqtt.sko.ai'], [{ ip: '192.0.2.20' }]));
    index.upsert(ingress('misc', 'grafana', ['grafana.apps.sko.ai'], [{ ip: '192.0.2.21' }]));
    expect(index.lookup('x.mqtt.sko.ai')).toEqual({ kind: 'nxdomain', apex: 'mqtt.sko.ai' });
    expect(index.lookup('a.b.grafana.apps.sko.ai')).toEqual({ kind: 'nxdomain', apex: 'grafana.apps.sko.ai' });
    // sko.ai, the domain a resolver forwards to minilb, may hold real records elsewhere.
    expect(index.lookup('apps.sko.ai')).toMatchObject({ kind: 'found', answers: { a: [], aaaa: [] } });
    expect(index.lookup('sko.ai').kind).toBe('unknown');
    expect(index.lookup('other.sko.ai').kind).toBe('unknown');
    expect(index.lookup('x.apps.sko.ai').kind).toBe('unknown');
    index.remove('Ingress', 'misc', 'mqtt');
    // Alone, grafana.apps.sko.ai makes apps.sko.ai the forwarded domain: nothing in between.
    expect(index.lookup('apps.sko.ai').kind).toBe('unknown');
    expect(index.lookup('x.mqtt.sko.ai').kind).toBe('unknown');
  });

  it('removes the names of an edited or deleted Ingress', () => {
    const index = newIndex();
    index.upsert(ingress('misc', 'site', ['a.sko.ai', 'b.sko.ai'], [{ ip: '192.0.2.20' }]));
    index.upsert(ingress('misc', 'site', ['a.sko.ai'], [{ ip: '192.0.2.21' }]));
    expect(index.lookup('b.sko.ai').kind).toBe('unknown');
    expect(addresses(index.lookup('a.sko.ai'))).toEqual(['192.0.2.21']);
    index.remove('Ingress', 'misc', 'site');
    expect(index.lookup('a.sko.ai').kind).toBe('unknown');
  });

  it('answers an Ingress without status with NODATA (the name exists, the controller has not reported yet)', () => {
    const index = newIndex();
    index.upsert(ingress('misc', 'new', ['new.sko.ai'], []));
    expect(addresses(index.lookup('new.sko.ai'))).toEqual([]);
    expect(index.lookup('new.sko.ai').kind).toBe('found');
  });
});

describe('Gateway API', () => {
  const httpsListener = (hostname?: string, name = 'https', port = 443) => ({ name, hostname, port, protocol: 'HTTPS', allowedRoutes: { namespaces: { from: 'All' } } });

  it('answers route hostnames with the Gateway addresses, following a Hostname address to a Service', () => {
    const index = newIndex();
    withWeb(index, 'envoy', 'public', ['10.244.0.40']);
    index.upsert(gateway('envoy', 'gw', [httpsListener()], [{ type: 'Hostname', value: 'public.envoy.minilb' }, { type: 'IPAddress', value: '192.0.2.50' }]));
    index.upsert(route('HTTPRoute', 'apps', 'grafana', ['grafana.sko.ai'], [{ name: 'gw', namespace: 'envoy' }]));
    expect(addresses(index.lookup('grafana.sko.ai'))).toEqual(['10.244.0.40', '192.0.2.50']);
  });

  it('takes the listener hostname when the route has none, and intersects wildcards as the spec says', () => {
    const index = newIndex();
    index.upsert(gateway('envoy', 'gw', [httpsListener('*.apps.sko.ai')], [{ value: '192.0.2.50' }]));
    index.upsert(route('HTTPRoute', 'envoy', 'catch-all', [], [{ name: 'gw' }]));
    index.upsert(route('HTTPRoute', 'envoy', 'grafana', ['grafana.apps.sko.ai', 'other.sko.ai'], [{ name: 'gw' }], { created: '2025-01-01T00:00:00Z' }));
    // A Gateway API wildcard matches any depth.
    expect(addresses(index.lookup('x.y.apps.sko.ai'))).toEqual(['192.0.2.50']);
    expect(index.explain('grafana.apps.sko.ai').chain[0]?.claimedBy.name).toBe('grafana');
    expect(index.lookup('other.sko.ai').kind).toBe('unknown');
    expect(index.lookup('apps.sko.ai').kind).toBe('unknown');
  });

  it('narrows a wildcard route hostname to a more specific listener hostname', () => {
    const index = newIndex();
    index.upsert(gateway('envoy', 'gw', [httpsListener('shop.sko.ai')], [{ value: '192.0.2.50' }]));
    index.upsert(route('HTTPRoute', 'envoy', 'wild', ['*.sko.ai'], [{ name: 'gw' }]));
    expect(addresses(index.lookup('shop.sko.ai'))).toEqual(['192.0.2.50']);
    expect(index.lookup('other.sko.ai').kind).toBe('unknown');
  });

  it('picks listeners by sectionName and port, by protocol per route kind, and honours allowedRoutes Same', () => {
    const index = newIndex();
    index.upsert(
      gateway(
        'envoy',
        'gw',
        [
          { name: 'a', hostname: 'a.sko.ai', port: 443, protocol: 'HTTPS' },
          { name: 'b', hostname: 'b.sko.ai', port: 8443, protocol: 'HTTPS', allowedRoutes: { namespaces: { from: 'All' } } },
          { name: 'tls', hostname: 't.sko.ai', port: 9443, protocol: 'TLS', allowedRoutes: { namespaces: { from: 'All' } } },
        ],
        [{ value: '192.0.2.50' }],
      ),
    );
    index.upsert(route('HTTPRoute', 'envoy', 'by-section', [], [{ name: 'gw', sectionName: 'a' }]));
    index.upsert(route('GRPCRoute', 'other', 'by-port', [], [{ name: 'gw', namespace: 'envoy', port: 8443 }]));
    index.upsert(route('HTTPRoute', 'other', 'not-allowed', ['x.sko.ai'], [{ name: 'gw', namespace: 'envoy', sectionName: 'a' }]));
    index.upsert(route('TLSRoute', 'other', 'tls', [], [{ name: 'gw', namespace: 'envoy' }]));
    expect(index.explain('a.sko.ai').chain[0]?.claimedBy.name).toBe('by-section');
    expect(index.explain('b.sko.ai').chain[0]?.claimedBy).toMatchObject({ kind: 'GRPCRoute', name: 'by-port' });
    expect(index.explain('t.sko.ai').chain[0]?.claimedBy).toMatchObject({ kind: 'TLSRoute', name: 'tls' });
    expect(index.lookup('x.sko.ai').kind).toBe('unknown');
  });

  it('skips a parent that reports the route Accepted=False', () => {
    const index = newIndex();
    index.upsert(gateway('envoy', 'gw', [httpsListener()], [{ value: '192.0.2.50' }]));
    const rejected = { parentRef: { name: 'gw' }, conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }] };
    index.upsert(route('HTTPRoute', 'envoy', 'r', ['r.sko.ai'], [{ name: 'gw' }], { parents: [rejected] }));
    expect(index.lookup('r.sko.ai').kind).toBe('unknown');
  });

  it('updates route names when the Gateway appears, changes or goes away', () => {
    const index = newIndex();
    index.upsert(route('HTTPRoute', 'envoy', 'r', [], [{ name: 'gw' }]));
    expect(index.lookup('r.sko.ai').kind).toBe('unknown');
    index.upsert(gateway('envoy', 'gw', [httpsListener('r.sko.ai')], [{ value: '192.0.2.50' }]));
    expect(addresses(index.lookup('r.sko.ai'))).toEqual(['192.0.2.50']);
    index.upsert(gateway('envoy', 'gw', [httpsListener('s.sko.ai')], [{ value: '192.0.2.51' }]));
    expect(index.lookup('r.sko.ai').kind).toBe('unknown');
    expect(addresses(index.lookup('s.sko.ai'))).toEqual(['192.0.2.51']);
    index.remove('Gateway', 'envoy', 'gw');
    expect(index.lookup('s.sko.ai').kind).toBe('unknown');
  });
});

describe('precedence and chains', () => {
  it('prefers exact over wildcard, longer wildcard over shorter, then annotation > Ingress > HTTPRoute, then age', () => {
    const index = newIndex();
    index.upsert(ingress('a', 'short-wild', ['*.sko.ai'], [{ ip: '192.0.2.1' }]));
    index.upsert(ingress('a', 'long-wild', ['*.apps.sko.ai'], [{ ip: '192.0.2.2' }]));
    index.upsert(ingress('a', 'exact', ['x.apps.sko.ai'], [{ ip: '192.0.2.3' }], { created: '2026-05-01T00:00:00Z' }));
    expect(addresses(index.lookup('y.apps.sko.ai'))).toEqual(['192.0.2.2']);
    expect(addresses(index.lookup('apps.sko.ai'))).toEqual(['192.0.2.1']);
    expect(addresses(index.lookup('x.apps.sko.ai'))).toEqual(['192.0.2.3']);

    // An older Ingress wins over a newer one; an annotation wins over both.
    index.upsert(ingress('b', 'older', ['x.apps.sko.ai'], [{ ip: '192.0.2.4' }], { created: '2026-01-01T00:00:00Z' }));
    expect(addresses(index.lookup('x.apps.sko.ai'))).toEqual(['192.0.2.4']);
    withWeb(index, 'shop', 'web', ['10.244.1.5']);
    index.upsert(service('shop', 'web', { annotations: { 'minilb/host': 'x.apps.sko.ai' } }));
    expect(addresses(index.lookup('x.apps.sko.ai'))).toEqual(['10.244.1.5']);

    const explained = index.explain('x.apps.sko.ai');
    expect(explained.chain[0]?.losers.map((l) => l.claimedBy.name)).toEqual(['older', 'exact']);
    expect(explained.chain[0]?.losers[0]?.reason).toContain('precedence');
    expect(index.stats().conflicts).toBe(1);

    index.upsert(gateway('envoy', 'gw', [{ name: 'h', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }], [{ value: '192.0.2.9' }]));
    index.upsert(route('HTTPRoute', 'z', 'route', ['y.apps.sko.ai'], [{ name: 'gw', namespace: 'envoy' }], { created: '2020-01-01T00:00:00Z' }));
    expect(addresses(index.lookup('y.apps.sko.ai'))).toEqual(['192.0.2.9']); // exact route beats the wildcard Ingress
    index.upsert(ingress('z', 'ing', ['y.apps.sko.ai'], [{ ip: '192.0.2.8' }], { created: '2026-06-01T00:00:00Z' }));
    expect(addresses(index.lookup('y.apps.sko.ai'))).toEqual(['192.0.2.8']); // Ingress beats HTTPRoute whatever the age
  });

  it('orders same-age claims by namespace/name so every replica picks the same winner', () => {
    const a = newIndex();
    const b = newIndex();
    const first = ingress('a', 'x', ['same.sko.ai'], [{ ip: '192.0.2.1' }]);
    const second = ingress('b', 'x', ['same.sko.ai'], [{ ip: '192.0.2.2' }]);
    a.upsert(first);
    a.upsert(second);
    b.upsert(second);
    b.upsert(first);
    expect(addresses(a.lookup('same.sko.ai'))).toEqual(['192.0.2.1']);
    expect(addresses(b.lookup('same.sko.ai'))).toEqual(['192.0.2.1']);
  });

  it('stops at a cycle and at the depth limit, with a warning, never looping', () => {
    const index = newIndex();
    index.upsert(ingress('a', 'one', ['one.x.minilb'], [{ hostname: 'two.x.minilb' }, { ip: '192.0.2.1' }]));
    index.upsert(ingress('a', 'two', ['two.x.minilb'], [{ hostname: 'one.x.minilb' }]));
    expect(addresses(index.lookup('one.x.minilb'))).toEqual(['192.0.2.1']);
    expect(index.explain('two.x.minilb').warnings.join()).toContain('loops back');

    for (let i = 0; i < 12; i++) index.upsert(ingress('c', `n${i}`, [`n${i}.c.minilb`], [{ hostname: `n${i + 1}.c.minilb` }]));
    index.upsert(ingress('c', 'n12', ['n12.c.minilb'], [{ ip: '192.0.2.12' }]));
    expect(addresses(index.lookup('n5.c.minilb'))).toEqual(['192.0.2.12']);
    expect(addresses(index.lookup('n0.c.minilb'))).toEqual([]);
    expect(index.explain('n0.c.minilb').warnings.join()).toContain('chain longer than');
  });

  it('explains a chain from hostname to pods, with the losing candidates and what to fix', () => {
    const index = newIndex();
    index.upsert(service('haproxy', 'ingress', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    index.upsert(slice('haproxy', 'i-a', 'ingress', 'IPv4', [{ ip: '10.244.0.15', node: 'node1', pod: 'ing-1' }, { ip: '10.244.0.16', ready: false, pod: 'ing-2' }]));
    index.upsert(ingress('paperless', 'paperless-ngx', ['paperless.sko.ai'], [{ hostname: 'ingress.haproxy.minilb' }]));
    const explained = index.explain('paperless.sko.ai');
    expect(explained.result).toBe('answer');
    expect(explained.chain.map((s) => `${s.claimedBy.kind} ${s.claimedBy.namespace}/${s.claimedBy.name}`)).toEqual([
      'Ingress paperless/paperless-ngx',
      'Service haproxy/ingress',
    ]);
    expect(explained.services[0]?.endpoints).toMatchObject([
      { address: '10.244.0.15', pod: 'ing-1', node: 'node1', answered: true },
      { address: '10.244.0.16', pod: 'ing-2', answered: false },
    ]);
    expect(explained.warnings.join()).toContain('targetPort 8080');
    expect(index.explain('nothing.minilb').result).toBe('nxdomain');
  });
});

describe('change tracking', () => {
  it('bumps the version and notifies on every change, and replaceAll removes what is gone', () => {
    const index = newIndex();
    let notified = 0;
    index.onChange(() => notified++);
    const before = index.version;
    index.replaceAll([service('shop', 'web'), ingress('a', 'i', ['i.sko.ai'], [{ ip: '192.0.2.1' }])]);
    expect(index.version).toBeGreaterThan(before);
    expect(notified).toBe(1);
    index.replaceAll([service('shop', 'web')]);
    expect(index.lookup('i.sko.ai').kind).toBe('unknown');
    const settled = index.version;
    index.replaceAll([service('shop', 'web')]);
    expect(index.version).toBe(settled); // nothing changed: same serial, cache kept
    expect(notified).toBe(2);
    expect(index.lookup('web.shop.minilb').kind).toBe('found');
    expect(index.stats()).toMatchObject({ claims: { Service: 1, Ingress: 0 }, objects: { Service: 1, Ingress: 0 } });
  });
});
