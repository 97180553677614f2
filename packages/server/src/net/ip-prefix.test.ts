import { describe, expect, it } from 'vitest';
import { canonicalIp, canonicalPrefix, comparePrefixes, formatIpAddress, parseIpAddress, parsePrefix } from './ip-prefix.js';

describe('IP addresses', () => {
  it('writes IPv6 in RFC 5952 form whatever form it was read in', () => {
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first of two equal runs
    expect(canonicalIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('::1')).toBe('::1');
    expect(canonicalIp('fe80::')).toBe('fe80::');
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
  });

  it('refuses what is not a plain address', () => {
    for (const bad of ['', '10.0.0', '10.0.0.256', '010.0.0.1', 'fe80::1%eth0', 'node1', '1::2::3']) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
  });

  it('keeps IPv4 as dotted quads', () => {
    const addr = parseIpAddress('192.0.2.7')!;
    expect(Array.from(addr.bytes)).toEqual([192, 0, 2, 7]);
    expect(formatIpAddress(addr)).toBe('192.0.2.7');
  });
});

describe('prefixes', () => {
  it('reports host bits rather than masking them silently', () => {
    expect(parsePrefix('10.244.1.0/24')!.hostBitsSet).toBe(false);
    expect(parsePrefix('10.244.1.5/24')!.hostBitsSet).toBe(true);
    expect(parsePrefix('2001:db8:244:1::1/64')!.hostBitsSet).toBe(true);
    expect(canonicalPrefix('10.244.1.5/24')).toBeUndefined();
  });

  it('refuses bad lengths', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '2001:db8::/129', '10.0.0.0']) {
      expect(parsePrefix(bad), bad).toBeUndefined();
    }
  });

  it('reads host routes written without a length, as iproute2 prints them', () => {
    expect(canonicalPrefix('192.0.2.9')).toBe('192.0.2.9/32');
    expect(canonicalPrefix('2001:db8::9')).toBe('2001:db8::9/128');
    expect(canonicalPrefix('2001:0DB8:0244:0001::/64')).toBe('2001:db8:244:1::/64');
  });

  it('orders IPv4 before IPv6, then numerically, then shorter first', () => {
    const texts = ['2001:db8::/64', '10.244.10.0/24', '10.244.2.0/24', '10.244.0.0/16', '9.0.0.0/8'];
    const sorted = texts.map((t) => parsePrefix(t)!.prefix).sort(comparePrefixes);
    expect(sorted.map((p) => `${formatIpAddress(p)}/${p.length}`)).toEqual([
      '9.0.0.0/8',
      '10.244.0.0/16',
      '10.244.2.0/24',
      '10.244.10.0/24',
      '2001:db8::/64',
    ]);
  });
});
