import { describe, expect, it } from 'vitest';
import { parseIpJsonRoutes, RouteOutputError } from './ip-json-routes.js';

// Captured from iproute2 6.1 (`ip -N -j -4 route show table main` and `-6`) in a test namespace.
const v4 =
  '[{"dst":"default","gateway":"198.51.100.254","dev":"lan0","protocol":"4","flags":[]},' +
  '{"dst":"10.244.1.0/24","gateway":"192.0.2.11","dev":"pv0","protocol":"250","flags":[]},' +
  '{"dst":"10.244.2.0/24","gateway":"192.0.2.12","dev":"pv0","protocol":"static","flags":[]},' +
  '{"dst":"10.244.3.0/24","gateway":"192.0.2.12","dev":"pv0","protocol":"250","metric":10,"flags":[]},' +
  '{"type":"blackhole","dst":"10.244.7.0/24","flags":[]},' +
  '{"dst":"10.244.8.0/24","protocol":"250","flags":[],"nexthops":[{"gateway":"192.0.2.11","dev":"pv0","weight":1,"flags":[]},{"gateway":"192.0.2.12","dev":"pv0","weight":1,"flags":[]}]},' +
  '{"dst":"192.0.2.9","gateway":"192.0.2.11","dev":"pv0","protocol":"2","flags":[]},' +
  '{"dst":"192.0.2.0/24","dev":"pv0","protocol":"2","scope":"253","prefsrc":"192.0.2.1","flags":[]}]';
const v6 =
  '[{"dst":"2001:db8:1::/64","dev":"pv0","protocol":"2","metric":256,"flags":[],"pref":"medium"},' +
  '{"dst":"2001:db8:244:1::/64","gateway":"2001:db8:1::11","dev":"pv0","protocol":"250","metric":1024,"flags":[],"pref":"medium"},' +
  '{"dst":"default","gateway":"fe80::1","dev":"pv0","protocol":"ra","metric":1024,"flags":[],"pref":"medium"}]';

describe('ip -j route', () => {
  it('reads destination, next hop, protocol and metric, filling in what iproute2 leaves out', () => {
    const routes = parseIpJsonRoutes(v4, 4);
    expect(routes.map((r) => [r.cidr, r.type, r.via, r.proto, r.metric])).toEqual([
      ['0.0.0.0/0', 'unicast', '198.51.100.254', '4', 0],
      ['10.244.1.0/24', 'unicast', '192.0.2.11', '250', 0],
      ['10.244.2.0/24', 'unicast', '192.0.2.12', 'static', 0],
      ['10.244.3.0/24', 'unicast', '192.0.2.12', '250', 10],
      ['10.244.7.0/24', 'blackhole', undefined, '3', 0], // no protocol printed: boot
      ['10.244.8.0/24', 'unicast', undefined, '250', 0],
      ['192.0.2.9/32', 'unicast', '192.0.2.11', '2', 0],
      ['192.0.2.0/24', 'unicast', undefined, '2', 0],
    ]);
    expect(routes[5]!.multipath).toBe(true);
    expect(routes.map((r) => r.text)).toEqual([
      '0.0.0.0/0 via 198.51.100.254 dev lan0 proto static',
      '10.244.1.0/24 via 192.0.2.11 dev pv0 proto 250',
      '10.244.2.0/24 via 192.0.2.12 dev pv0 proto static',
      '10.244.3.0/24 via 192.0.2.12 dev pv0 proto 250 metric 10',
      'blackhole 10.244.7.0/24 proto boot',
      '10.244.8.0/24 (multipath) proto 250',
      '192.0.2.9/32 via 192.0.2.11 dev pv0 proto kernel',
      '192.0.2.0/24 dev pv0 proto kernel',
    ]);
  });

  it('gives IPv6 routes their family default and canonical addresses', () => {
    const routes = parseIpJsonRoutes(v6, 6);
    expect(routes.map((r) => [r.cidr, r.via, r.metric])).toEqual([
      ['2001:db8:1::/64', undefined, 256],
      ['2001:db8:244:1::/64', '2001:db8:1::11', 1024],
      ['::/0', 'fe80::1', 1024],
    ]);
  });

  it('reads an empty table, and says so when the output is not JSON', () => {
    expect(parseIpJsonRoutes('', 4)).toEqual([]);
    expect(parseIpJsonRoutes('[]\n', 6)).toEqual([]);
    expect(() => parseIpJsonRoutes('default via 192.0.2.1 dev eth0', 4)).toThrow(RouteOutputError);
    expect(() => parseIpJsonRoutes('{}', 4)).toThrow('not a JSON list');
  });
});
