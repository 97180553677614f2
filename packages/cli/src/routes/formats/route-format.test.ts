import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { desiredRoutes, type TrimmedNode } from 'minilb-server';
import { formatRoutes, routeFormats, type FormatInput } from './route-format.js';

// Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review the diff.
function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`golden/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function node(name: string, podCIDRs: string[], addresses: string[]): TrimmedNode {
  return {
    kind: 'Node',
    meta: { namespace: '', name, creationTimestamp: '', annotations: {}, labels: {} },
    podCIDRs,
    addresses: addresses.map((address) => ({ type: 'InternalIP', address })),
  };
}

// A dual-stack cluster with one node that has not been given a podCIDR yet.
const cluster = desiredRoutes([
  node('worker-2', ['10.244.2.0/24', '2001:db8:244:2::/64'], ['192.0.2.12', '2001:db8:1::12']),
  node('cp.lab', ['10.244.0.0/24', '2001:db8:244::/64'], ['192.0.2.10', '2001:db8:1::10']),
  node('worker-1', ['10.244.1.0/24', '2001:db8:244:1::/64'], ['192.0.2.11', '2001:db8:1::11']),
  node('worker-3', [], ['192.0.2.13']),
]);

const input: FormatInput = { ...cluster, defaultGateway: '192.0.2.1', uciInterface: 'lan', proto: 250 };

describe('route formats', () => {
  it.each(routeFormats)('--format %s matches its golden file', (format) => {
    const { text, notes } = formatRoutes(format, input);
    golden(`${format}.golden`, text);
    if (['dnsmasq', 'isc-dhcpd', 'kea'].includes(format)) {
      expect(notes).toEqual([
        'DHCP option 121 carries IPv4 routes only; left out 3 IPv6 route(s) (2001:db8:244::/64, 2001:db8:244:1::/64, ' +
          '2001:db8:244:2::/64): add those on the router instead (--format ip, uci or routeros).',
      ]);
    } else {
      expect(notes).toEqual([]);
    }
  });

  it('the kea hex and the isc-dhcpd bytes are the same RFC 3442 encoding', () => {
    const kea = JSON.parse(formatRoutes('kea', input).text.replace(/^\/\/.*\n/gm, '')) as { data: string };
    const isc = /option rfc3442-classless-static-routes ([0-9, ]+);/.exec(formatRoutes('isc-dhcpd', input).text)![1]!;
    const iscBytes = isc.split(/[ ,]+/).map(Number);
    expect(kea.data).toBe(Buffer.from(iscBytes).toString('hex').toUpperCase());
    // 10.244.0.0/24 via 192.0.2.10, then 10.244.1.0/24 and 10.244.2.0/24, then the default route.
    expect(iscBytes.slice(0, 8)).toEqual([24, 10, 244, 0, 192, 0, 2, 10]);
    expect(iscBytes.slice(-5)).toEqual([0, 192, 0, 2, 1]);
    expect(iscBytes).toHaveLength(3 * 8 + 5);
  });

  it('the option 121 formats refuse to run without the default gateway', () => {
    for (const format of ['dnsmasq', 'isc-dhcpd', 'kea'] as const) {
      expect(() => formatRoutes(format, { ...input, defaultGateway: undefined })).toThrow(
        `--format ${format} needs --default-gateway`,
      );
    }
  });

  it('an empty cluster prints nothing in the router formats', () => {
    const empty: FormatInput = { ...input, routes: [], problems: [] };
    for (const format of ['ip', 'uci', 'routeros'] as const) expect(formatRoutes(format, empty).text).toBe('');
  });

  it('uci refuses two nodes that would share a section instead of letting one overwrite the other', () => {
    const clash = desiredRoutes([
      node('a-b', ['10.244.1.0/24'], ['192.0.2.11']),
      node('a.b', ['10.244.2.0/24'], ['192.0.2.12']),
      node('c', ['10.244.3.0/24'], ['192.0.2.13']),
    ]);
    const { text, notes } = formatRoutes('uci', { ...input, ...clash });
    expect(text).toContain('network.minilb_c_v4=route');
    expect(text).not.toContain('minilb_a_b');
    expect(notes).toEqual([
      'nodes a-b, a.b all map to UCI section minilb_a_b_v4; route 10.244.1.0/24 of node a-b skipped',
      'nodes a-b, a.b all map to UCI section minilb_a_b_v4; route 10.244.2.0/24 of node a.b skipped',
    ]);
  });
});
