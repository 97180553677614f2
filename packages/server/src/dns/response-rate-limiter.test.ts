import { describe, expect, it } from 'vitest';
import { parseNetworkList } from '../config/network-list.js';
import { netblock, ResponseRateLimiter } from './response-rate-limiter.js';

const none = parseNetworkList('');

describe('ResponseRateLimiter', () => {
  it('sends `rate` answers a second per netblock and response, then slips every Nth', () => {
    const limiter = new ResponseRateLimiter({ rate: 5, slip: 2, exempt: none });
    const decisions = Array.from({ length: 11 }, () => limiter.decide('192.0.2.1', 'q', 1000));
    expect(decisions.slice(0, 5)).toEqual(['send', 'send', 'send', 'send', 'send']);
    expect(decisions.slice(5)).toEqual(['drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
    // Another response, and another /24, have their own buckets; the same /24 shares one.
    expect(limiter.decide('192.0.2.1', 'other', 1000)).toBe('send');
    expect(limiter.decide('198.51.100.1', 'q', 1000)).toBe('send');
    expect(limiter.decide('192.0.2.200', 'q', 1000)).not.toBe('send');
    // Tokens come back at the rate.
    expect(limiter.decide('192.0.2.1', 'q', 1200)).toBe('send');
    expect(limiter.decide('192.0.2.1', 'q', 1200)).not.toBe('send');
  });

  it('drops everything over the rate with slip 0, and never limits exempt networks or rate 0', () => {
    const limiter = new ResponseRateLimiter({ rate: 1, slip: 0, exempt: parseNetworkList('203.0.113.0/24') });
    limiter.decide('192.0.2.1', 'q', 0);
    expect(Array.from({ length: 5 }, () => limiter.decide('192.0.2.1', 'q', 0))).toEqual(Array(5).fill('drop'));
    expect(Array.from({ length: 50 }, () => limiter.decide('203.0.113.9', 'q', 0)).every((d) => d === 'send')).toBe(true);
    const off = new ResponseRateLimiter({ rate: 0, slip: 2, exempt: none });
    expect(Array.from({ length: 50 }, () => off.decide('192.0.2.1', 'q', 0)).every((d) => d === 'send')).toBe(true);
  });

  it('keeps a bounded table', () => {
    const limiter = new ResponseRateLimiter({ rate: 10, slip: 2, exempt: none, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) limiter.decide(`10.${i >> 8 & 255}.${i & 255}.1`, 'q', 0);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});

describe('netblock', () => {
  it('is the /24 for IPv4 (mapped or not) and the /56 for IPv6', () => {
    expect(netblock('192.0.2.77')).toBe('192.0.2');
    expect(netblock('::ffff:192.0.2.77')).toBe('192.0.2');
    expect(netblock('2001:db8:1:2ff::1')).toBe(netblock('2001:db8:1:200::9'));
    expect(netblock('2001:db8:1:2ff::1')).not.toBe(netblock('2001:db8:1:300::1'));
    expect(netblock('::1')).toBe('0000:0000:0000:00');
  });
});
