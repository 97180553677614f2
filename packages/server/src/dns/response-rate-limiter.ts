// Response rate limiting for UDP (as Knot's rrl module and BIND's rate-limit): answers to one
// client netblock (/24 for IPv4, /56 for IPv6) are counted per response, with a token bucket
// of `rate` per second. Past it, answers are dropped, except every `slip`th, which goes out
// truncated and empty so a real client (whose address was not spoofed) retries over TCP.
// A spoofed flood then gets back fewer bytes than it sends: see the README's Limitations.

import { isIPv4 } from 'node:net';
import type { NetworkList } from '../config/network-list.js';

export type RateDecision = 'send' | 'drop' | 'slip';

export interface RateLimitOptions {
  rate: number; // responses per second per netblock and response; 0 turns limiting off
  slip: number; // every Nth limited response is sent truncated; 0 drops them all
  exempt: NetworkList;
  maxEntries?: number; // buckets kept; default 65536
}

interface Bucket {
  tokens: number;
  at: number; // ms, when tokens was computed
  limited: number; // limited responses so far, for the slip count
}

export class ResponseRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxEntries: number;
  // Per client address: its netblock, or null when exempt. A flood repeats one address, so the
  // list check and the netblock's string work run once, not per packet.
  private readonly clients = new Map<string, string | null>();

  constructor(private readonly options: RateLimitOptions) {
    this.maxEntries = options.maxEntries ?? 65_536;
  }

  get enabled(): boolean {
    return this.options.rate > 0;
  }

  // `response` names the answer: the question for a positive answer, a class shared by many
  // questions for negative answers and errors (so random names do not each get a bucket).
  decide(client: string, response: string, now = performance.now()): RateDecision {
    const { rate, slip } = this.options;
    if (rate <= 0) return 'send';
    const block = this.netblockOf(client);
    if (block === null) return 'send';
    const key = `${block}|${response}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxEntries) this.evict(now);
      bucket = { tokens: rate, at: now, limited: 0 };
      this.buckets.set(key, bucket);
    } else {
      // Burst: one second's worth.
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) * rate) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'send';
    }
    bucket.limited++;
    return slip > 0 && bucket.limited % slip === 0 ? 'slip' : 'drop';
  }

  private netblockOf(client: string): string | null {
    let block = this.clients.get(client);
    if (block === undefined) {
      if (this.clients.size >= 4096) this.clients.clear();
      block = this.options.exempt.contains(client) ? null : netblock(client);
      this.clients.set(client, block);
    }
    return block;
  }

  // The table is full: drop buckets that have refilled (they would start full anyway), oldest
  // first; if none has, drop the oldest quarter. Bounded memory beats perfect memory.
  private evict(now: number): void {
    const refillMs = 1000;
    let removed = 0;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= refillMs) {
        this.buckets.delete(key);
        removed++;
      }
      if (removed >= this.maxEntries / 4) break;
    }
    if (removed > 0) return;
    let drop = this.maxEntries / 4;
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}

// "192.0.2.77" -> "192.0.2", "::ffff:192.0.2.77" -> "192.0.2", "2001:db8:1:2ff::1" -> the
// first 56 bits as hex.
export function netblock(address: string): string {
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (!v4.includes(':')) return v4.slice(0, v4.lastIndexOf('.'));
  const groups = expandIpv6(v4);
  return `${groups[0]}:${groups[1]}:${groups[2]}:${groups[3]!.slice(0, 2)}`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...middle, ...right].map((g) => g.padStart(4, '0'));
}
