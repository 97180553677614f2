import { describe, expect, it } from 'vitest';
import { encodeClasslessRoute, encodeClasslessRoutes } from './classless-static-routes.js';

const bytes = (cidr: string, router = '192.0.2.1'): number[] => Array.from(encodeClasslessRoute({ cidr, router }));

describe('RFC 3442 encoding', () => {
  // The table in RFC 3442 section 3: width, then only the significant octets of the destination.
  it.each([
    ['0.0.0.0/0', [0]],
    ['10.0.0.0/8', [8, 10]],
    ['10.0.0.0/24', [24, 10, 0, 0]],
    ['10.17.0.0/16', [16, 10, 17]],
    ['10.27.129.0/24', [24, 10, 27, 129]],
    ['10.229.0.128/25', [25, 10, 229, 0, 128]],
    ['10.198.122.47/32', [32, 10, 198, 122, 47]],
  ])('%s has destination descriptor %j', (cidr, descriptor) => {
    expect(bytes(cidr)).toEqual([...descriptor, 192, 0, 2, 1]);
  });

  it('rounds the destination up to whole octets for widths that are not multiples of 8', () => {
    expect(bytes('10.244.0.0/17')).toEqual([17, 10, 244, 0, 192, 0, 2, 1]);
    expect(bytes('10.240.0.0/12')).toEqual([12, 10, 240, 192, 0, 2, 1]);
    expect(bytes('128.0.0.0/1')).toEqual([1, 128, 192, 0, 2, 1]);
  });

  it('concatenates routes with nothing between them', () => {
    const all = encodeClasslessRoutes([
      { cidr: '10.244.1.0/24', router: '192.0.2.11' },
      { cidr: '0.0.0.0/0', router: '192.0.2.1' },
    ]);
    expect(Array.from(all)).toEqual([24, 10, 244, 1, 192, 0, 2, 11, 0, 192, 0, 2, 1]);
  });

  it('refuses what option 121 cannot carry', () => {
    expect(() => bytes('2001:db8::/64')).toThrow('option 121 needs an IPv4 network, not 2001:db8::/64');
    expect(() => bytes('10.244.1.0/24', '2001:db8::1')).toThrow('option 121 needs an IPv4 router');
    expect(() => bytes('10.244.1.9/24')).toThrow('IPv4 network');
  });
});
