import { describe, expect, it } from 'vitest';
import { parseRouteGetJson, parseRouteGetText } from './next-hop-check.js';

describe('next hop on-link check', () => {
  it('reads ip -j route get', () => {
    expect(parseRouteGetJson('192.0.2.11', '[{"dst":"192.0.2.11","dev":"pv0","prefsrc":"192.0.2.1","flags":[],"uid":0,"cache":[]}]', 0)).toEqual({
      hop: '192.0.2.11',
      onLink: true,
      why: 'on-link on pv0',
    });
    expect(parseRouteGetJson('192.0.2.200', '[{"dst":"192.0.2.200","gateway":"198.51.100.254","dev":"wan","flags":[]}]', 0)).toMatchObject({
      onLink: false,
      why: 'the router reaches 192.0.2.200 through 198.51.100.254, not directly',
    });
    expect(parseRouteGetJson('192.0.2.1', '[{"type":"local","dst":"192.0.2.1","dev":"lo","flags":[]}]', 0)).toMatchObject({
      onLink: false,
      why: '192.0.2.1 is an address of the router itself',
    });
    expect(parseRouteGetJson('203.0.113.5', 'RTNETLINK answers: Network is unreachable', 2)).toMatchObject({
      onLink: false,
      why: 'the router has no route to 203.0.113.5 (Network is unreachable)',
    });
  });

  it('reads BusyBox ip route get', () => {
    expect(parseRouteGetText('192.0.2.11', '192.0.2.11 dev br-lan  src 192.0.2.1 \n', 0)).toMatchObject({ onLink: true });
    expect(parseRouteGetText('2001:db8:1::11', '2001:db8:1::11 from :: dev br-lan  src 2001:db8:1::1  metric 256 \n', 0)).toMatchObject({
      onLink: true,
    });
    expect(parseRouteGetText('10.1.1.1', '10.1.1.1 via 198.51.100.254 dev wan  src 198.51.100.2 \n', 0)).toMatchObject({
      onLink: false,
      why: 'the router reaches 10.1.1.1 through 198.51.100.254, not directly',
    });
    expect(parseRouteGetText('192.0.2.200', 'ip: RTNETLINK answers: Network is unreachable', 2)).toMatchObject({
      onLink: false,
      why: 'the router has no route to 192.0.2.200 (Network is unreachable)',
    });
  });
});
