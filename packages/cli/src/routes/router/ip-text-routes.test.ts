import { describe, expect, it } from 'vitest';
import { parseIpTextRoutes } from './ip-text-routes.js';

describe('plain ip route output', () => {
  it('reads BusyBox 1.35 output, which has no protocol', () => {
    // Captured from `busybox ip route` and `busybox ip -6 route` in a test namespace.
    const v4 = [
      'default via 198.51.100.254 dev wan ',
      '10.244.1.0/24 via 192.0.2.11 dev br-lan ',
      '10.244.3.0/24 via 192.0.2.12 dev br-lan  metric 10 ',
      'blackhole 10.244.7.0/24 ',
      '192.0.2.0/24 dev br-lan scope link  src 192.0.2.1 ',
      '',
    ].join('\n');
    expect(parseIpTextRoutes(v4, 4).map((r) => [r.type, r.cidr, r.via, r.dev, r.proto, r.metric])).toEqual([
      ['unicast', '0.0.0.0/0', '198.51.100.254', 'wan', undefined, 0],
      ['unicast', '10.244.1.0/24', '192.0.2.11', 'br-lan', undefined, 0],
      ['unicast', '10.244.3.0/24', '192.0.2.12', 'br-lan', undefined, 10],
      ['blackhole', '10.244.7.0/24', undefined, undefined, undefined, 0],
      ['unicast', '192.0.2.0/24', undefined, 'br-lan', undefined, 0],
    ]);
    const v6 = [
      '2001:db8:1::/64 dev br-lan  metric 256 ',
      '2001:db8:244:1::/64 via 2001:db8:1::11 dev br-lan  metric 1024 ',
      'fe80::/64 dev br-lan  metric 256 ',
      'multicast ff00::/8 dev br-lan  metric 256 ',
    ].join('\n');
    expect(parseIpTextRoutes(v6, 6).map((r) => [r.type, r.cidr, r.via, r.metric])).toEqual([
      ['unicast', '2001:db8:1::/64', undefined, 256],
      ['unicast', '2001:db8:244:1::/64', '2001:db8:1::11', 1024],
      ['unicast', 'fe80::/64', undefined, 256],
      ['multicast', 'ff00::/8', undefined, 256],
    ]);
  });

  it('reads full iproute2 text: protocol, flags, host routes and multipath continuation lines', () => {
    const text = [
      '10.244.1.0/24 via 192.0.2.11 dev eth0 proto 250 onlink ',
      '10.244.4.0/24 proto 250 ',
      '\tnexthop via 192.0.2.11 dev eth0 weight 1 ',
      '\tnexthop via 192.0.2.12 dev eth0 weight 1 ',
      '192.0.2.9 via 192.0.2.11 dev eth0 proto static metric 5 linkdown',
      'unreachable 10.244.9.0/24 proto static metric 20',
    ].join('\n');
    const routes = parseIpTextRoutes(text, 4);
    expect(routes.map((r) => [r.type, r.cidr, r.via, r.proto, r.metric, r.multipath])).toEqual([
      ['unicast', '10.244.1.0/24', '192.0.2.11', '250', 0, false],
      ['unicast', '10.244.4.0/24', undefined, '250', 0, true],
      ['unicast', '192.0.2.9/32', '192.0.2.11', 'static', 5, false],
      ['unreachable', '10.244.9.0/24', undefined, 'static', 20, false],
    ]);
  });
});
