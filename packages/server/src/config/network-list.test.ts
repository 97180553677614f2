import { describe, expect, it } from 'vitest';
import { parseNetworkList, privateNetworks } from './network-list.js';

describe('parseNetworkList', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 clients against the private defaults', () => {
    const list = parseNetworkList(privateNetworks.join(','));
    for (const inside of ['10.1.2.3', '172.31.255.1', '192.168.1.10', '100.64.0.1', '127.0.0.1', '169.254.1.1', '::1', 'fe80::1', 'fd00:10:244::5', '::ffff:192.168.1.10']) {
      expect(list.contains(inside), inside).toBe(true);
    }
    for (const outside of ['192.0.2.1', '198.51.100.7', '8.8.8.8', '2001:db8::1', '::ffff:203.0.113.9', 'not-an-ip']) {
      expect(list.contains(outside), outside).toBe(false);
    }
  });

  it('takes bare addresses, and an empty list contains nothing', () => {
    expect(parseNetworkList('192.0.2.7').contains('192.0.2.7')).toBe(true);
    expect(parseNetworkList('192.0.2.7').contains('192.0.2.8')).toBe(false);
    expect(parseNetworkList('').contains('127.0.0.1')).toBe(false);
  });

  it.each(['192.0.2.0/33', 'lan', '2001:db8::/129', '10.0.0.0/x', '10.0.0.0/'])('rejects %s naming the entry', (entry) => {
    expect(() => parseNetworkList(`10.0.0.0/8,${entry}`)).toThrow(new RegExp(`"${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not a network`));
  });
});
