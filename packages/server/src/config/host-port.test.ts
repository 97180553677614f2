import { describe, expect, it } from 'vitest';
import { parseListenAddress, parseUpstreamAddress } from './host-port.js';

describe('-listen values', () => {
  it('reads every address, one IPv4 or IPv6 address, and port 0', () => {
    expect(parseListenAddress(':53')).toEqual({ host: undefined, port: 53 });
    expect(parseListenAddress('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseListenAddress('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(parseListenAddress('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
  });

  it('refuses what it cannot bind, naming the flag and showing the forms', () => {
    for (const bad of ['53', 'localhost:53', '::1:53', '[127.0.0.1]:53', '1.2.3.4:70000', '1.2.3.4:', '']) {
      expect(() => parseListenAddress(bad), bad).toThrow(/^-listen: .* e\.g\. :53, 127\.0\.0\.1:5353 or \[::1\]:5353$/);
    }
  });
});

describe('-upstream values', () => {
  it('reads host:port, [v6]:port, and a bare address as port 53', () => {
    expect(parseUpstreamAddress('192.168.1.1:5353')).toEqual({ host: '192.168.1.1', port: 5353 });
    expect(parseUpstreamAddress('[fd00::1]:53')).toEqual({ host: 'fd00::1', port: 53 });
    expect(parseUpstreamAddress('192.168.1.1')).toEqual({ host: '192.168.1.1', port: 53 });
    expect(parseUpstreamAddress('fd00::1')).toEqual({ host: 'fd00::1', port: 53 });
  });

  it('refuses names and port 0', () => {
    expect(() => parseUpstreamAddress('dns.google:53')).toThrow(/^-upstream: "dns.google:53" is not an IP address/);
    expect(() => parseUpstreamAddress('1.1.1.1:0')).toThrow(/-upstream/);
    expect(() => parseUpstreamAddress(':53')).toThrow(/-upstream/);
  });
});
