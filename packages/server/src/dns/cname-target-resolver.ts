// Looks up the addresses of out-of-zone CNAME targets (an Ingress whose status names a cloud
// load balancer), so a forwarder in front that does not chase CNAMEs (dnsmasq, CoreDNS forward,
// glibc's stub) still hands its client addresses. Through -upstream or the system resolver;
// answers are cached briefly (the target's TTL, at most MAX_CACHE_SECONDS) in a bounded map, and
// a failure is remembered for FAILURE_CACHE_SECONDS so a dead target does not cost every query.

import { randomInt } from 'node:crypto';
import { promises as dnsPromises } from 'node:dns';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { ipv4Bytes, ipv6Bytes } from '../net/ip-prefix.js';
import { RecordType } from './protocol-numbers.js';
import { parseQuery } from './query-parser.js';
import { isWritableName, type RecordData } from './response-writer.js';
import type { UpstreamRelay } from './upstream-relay.js';

export type AddressType = typeof RecordType.A | typeof RecordType.AAAA;

// One record of the target's answer: its CNAME chain, then its addresses.
export interface TargetRecord {
  owner: string; // lower-case, no trailing dot
  ttl: number;
  data: RecordData;
}

export type TargetLookup = (name: string, type: AddressType, timeoutMs: number) => Promise<TargetRecord[] | undefined>;

export interface CnameTargetResolverOptions {
  lookup: TargetLookup;
  timeoutMs: number; // per lookup; after it the client gets the bare CNAME
  maxEntries?: number; // cache bound (default 1024)
  maxPending?: number; // lookups in flight before more get the bare CNAME at once (default 256)
  now?: () => number;
}

const MAX_CACHE_SECONDS = 300;
const FAILURE_CACHE_SECONDS = 5;

interface CacheEntry {
  records: TargetRecord[] | undefined;
  expiresAt: number; // ms
}

export class CnameTargetResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<TargetRecord[] | undefined>>();
  private readonly maxEntries: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(private readonly options: CnameTargetResolverOptions) {
    this.maxEntries = options.maxEntries ?? 1024;
    this.maxPending = options.maxPending ?? 256;
    this.now = options.now ?? Date.now;
  }

  get cachedTargets(): number {
    return this.cache.size;
  }

  // The cached answer with TTLs counted down, if one is fresh; `undefined` inside means the
  // target could not be resolved.
  cached(name: string, type: AddressType): { records: TargetRecord[] | undefined } | undefined {
    const key = `${type}/${name}`;
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    const left = entry.expiresAt - this.now();
    if (left <= 0) {
      this.cache.delete(key);
      return undefined;
    }
    if (!entry.records) return { records: undefined };
    const seconds = Math.max(1, Math.ceil(left / 1000));
    return { records: entry.records.map((r) => ({ ...r, ttl: Math.min(r.ttl, seconds) })) };
  }

  // Concurrent queries for one target share one lookup; it never rejects.
  async resolve(name: string, type: AddressType): Promise<TargetRecord[] | undefined> {
    const hit = this.cached(name, type);
    if (hit) return hit.records;
    const key = `${type}/${name}`;
    let pending = this.pending.get(key);
    if (!pending) {
      if (this.pending.size >= this.maxPending) return undefined;
      const timeoutMs = this.options.timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      pending = Promise.race([this.options.lookup(name, type, timeoutMs).catch(() => undefined), deadline])
        .then((records) => {
          clearTimeout(timer);
          this.pending.delete(key);
          this.remember(key, records);
          return records;
        });
      this.pending.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, records: TargetRecord[] | undefined): void {
    const seconds = records && records.length > 0 ? Math.min(MAX_CACHE_SECONDS, ...records.map((r) => r.ttl)) : FAILURE_CACHE_SECONDS;
    if (seconds <= 0) return;
    this.cache.delete(key);
    // Insertion order makes the first key the oldest: the bound holds against many targets.
    while (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(key, { records: records && records.length > 0 ? records : undefined, expiresAt: this.now() + seconds * 1000 });
  }
}

// Through -upstream: an ordinary recursive query (RD, EDNS 1232), over TCP when truncated.
export function upstreamLookup(relay: UpstreamRelay): TargetLookup {
  return async (name, type) => {
    const packet = Buffer.from(
      dnsPacket.encode({
        type: 'query',
        id: randomInt(0x10000),
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name, type: type === RecordType.A ? 'A' : 'AAAA', class: 'IN' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer],
      }),
    );
    const parsed = parseQuery(packet);
    if (parsed.kind !== 'query') return undefined;
    const outcome = await relay.relay(packet, parsed.query, 'tcp');
    if (!outcome.ok) return undefined;
    return recordsFromReply(outcome.reply, name, type);
  };
}

// Through the system resolver (the servers in /etc/resolv.conf; in a pod, the cluster DNS),
// with c-ares so the TTL is known. `servers` replaces them (tests).
export function systemLookup(servers?: string[]): TargetLookup {
  return async (name, type, timeoutMs) => {
    const resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
    if (servers) resolver.setServers(servers);
    try {
      const addresses = await (type === RecordType.A ? resolver.resolve4(name, { ttl: true }) : resolver.resolve6(name, { ttl: true }));
      const records = addresses.map(({ address, ttl }) => addressRecord(name, type, address, ttl)).filter((r) => r !== undefined);
      return records.length > 0 ? records : undefined;
    } catch {
      return undefined;
    } finally {
      resolver.cancel();
    }
  };
}

function addressRecord(owner: string, type: AddressType, text: string, ttl: number): TargetRecord | undefined {
  const address = type === RecordType.A ? ipv4Bytes(text) : ipv6Bytes(text);
  if (!address) return undefined;
  return { owner, ttl: Math.max(0, Math.floor(ttl)), data: { type, address } };
}

// The answer section's CNAME chain from `name` and the addresses at its end; anything else
// (other owners, unencodable names) is left out, so nothing unrelated reaches our client.
function recordsFromReply(reply: Buffer, name: string, type: AddressType): TargetRecord[] | undefined {
  let decoded: dnsPacket.Packet;
  try {
    decoded = dnsPacket.decode(reply);
  } catch {
    return undefined;
  }
  if ((reply.readUInt16BE(2) & 0xf) !== 0) return undefined;
  const records: TargetRecord[] = [];
  let current = name;
  const answers = decoded.answers ?? [];
  for (let hops = 0; hops < 8; hops++) {
    const cname = answers.find((r) => r.type === 'CNAME' && r.name.toLowerCase() === current);
    if (!cname) break;
    const target = String(cname.data).toLowerCase().replace(/\.$/, '');
    if (!isWritableName(target)) return undefined;
    records.push({ owner: current, ttl: cname.ttl ?? 0, data: { type: RecordType.CNAME, target } });
    current = target;
  }
  const wanted = type === RecordType.A ? 'A' : 'AAAA';
  for (const record of answers) {
    if (record.type !== wanted || record.name.toLowerCase() !== current) continue;
    const address = addressRecord(current, type, String(record.data), record.ttl ?? 0);
    if (address) records.push(address);
  }
  return records.some((r) => r.data.type === type) ? records : undefined;
}
