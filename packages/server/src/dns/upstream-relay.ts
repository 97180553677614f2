// Relays queries for names the index does not know to the -upstream servers: the client's bytes
// under a fresh random ID, first over UDP, over TCP when the upstream truncates a TCP client's
// answer; the next upstream on failure, and an overall deadline after which the caller answers SERVFAIL.

import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../log.js';
import { HEADER_LENGTH, HeaderFlag } from './protocol-numbers.js';
import type { ParsedQuery } from './query-parser.js';
import type { Transport } from './responder.js';
import { formatHostPort, type UpstreamAddress } from '../config/host-port.js';
import { FrameReader } from './tcp-frame-reader.js';

export interface UpstreamRelayOptions {
  upstreams: readonly UpstreamAddress[]; // as -upstream gives them
  timeoutMs: number; // for the whole relay, all upstreams and the TCP retry included
  log: Logger;
  maxPending?: number; // relays in flight before new ones fail at once
}

export type RelayOutcome = { ok: true; reply: Buffer } | { ok: false; reason: 'timeout' | 'error' | 'overload' };

interface Upstream {
  host: string;
  port: number;
  family: 'udp4' | 'udp6';
  label: string;
}

interface PendingExchange {
  upstream: Upstream;
  question: Buffer;
  settle: (reply: Buffer | Error) => void;
}

class AttemptFailure extends Error {
  constructor(readonly reason: 'timeout' | 'error', message: string) {
    super(message);
  }
}

export class UpstreamRelay {
  private readonly upstreams: Upstream[];
  private readonly sockets = new Map<'udp4' | 'udp6', Promise<dgram.Socket>>();
  // Keyed by socket family and ID: one shared socket per family, so the IDs must not collide.
  private readonly pending = new Map<string, PendingExchange>();
  private preferred = 0;
  private active = 0;
  private closed = false;
  private readonly maxPending: number;

  constructor(private readonly options: UpstreamRelayOptions) {
    this.upstreams = options.upstreams.map(({ host, port }) => {
      const family = net.isIPv6(host) ? 'udp6' : 'udp4';
      return { host, port, family, label: formatHostPort({ host, port }) };
    });
    if (this.upstreams.length === 0) throw new Error('-upstream: no upstream address given');
    this.maxPending = options.maxPending ?? 4096;
  }

  async relay(packet: Buffer, query: ParsedQuery, transport: Transport): Promise<RelayOutcome> {
    if (this.closed || this.active >= this.maxPending) return { ok: false, reason: 'overload' };
    this.active++;
    try {
      return await this.tryUpstreams(packet, query, transport);
    } finally {
      this.active--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const exchange of this.pending.values()) exchange.settle(new AttemptFailure('error', 'relay closed'));
    this.pending.clear();
    const sockets = await Promise.allSettled(this.sockets.values());
    this.sockets.clear();
    await Promise.all(
      sockets.map((result) =>
        result.status === 'fulfilled' ? new Promise<void>((resolve) => result.value.close(() => resolve())) : undefined,
      ),
    );
  }

  private async tryUpstreams(packet: Buffer, query: ParsedQuery, transport: Transport): Promise<RelayOutcome> {
    const deadline = Date.now() + this.options.timeoutMs;
    const count = this.upstreams.length;
    const first = this.preferred;
    let reason: 'timeout' | 'error' = 'timeout';
    for (let attempt = 0; attempt < count; attempt++) {
      const which = (first + attempt) % count;
      const upstream = this.upstreams[which]!;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // Each upstream gets an equal share of the budget, so a dead first one leaves time for the rest.
      const budget = attempt === count - 1 ? remaining : Math.min(remaining, this.options.timeoutMs / count);
      try {
        let reply = await this.exchangeUdp(upstream, packet, query, budget);
        if (transport === 'tcp' && reply.readUInt16BE(2) & HeaderFlag.TC) {
          reply = await this.exchangeTcp(upstream, packet, query, Math.max(1, deadline - Date.now()));
        }
        this.preferred = which;
        reply.writeUInt16BE(query.id, 0);
        return { ok: true, reply };
      } catch (error) {
        reason = error instanceof AttemptFailure ? error.reason : 'error';
        // Later queries start with the next upstream instead of paying this one's timeout again.
        if (this.preferred === which) this.preferred = (which + 1) % count;
        this.options.log.debug({ upstream: upstream.label, name: query.name, err: (error as Error).message }, 'upstream attempt failed');
      }
    }
    return { ok: false, reason };
  }

  private async exchangeUdp(upstream: Upstream, packet: Buffer, query: ParsedQuery, timeoutMs: number): Promise<Buffer> {
    const socket = await this.socket(upstream.family);
    const id = this.freshId(upstream.family);
    const key = `${upstream.family}/${id}`;
    const outgoing = Buffer.from(packet);
    outgoing.writeUInt16BE(id, 0);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => settle(new AttemptFailure('timeout', `no reply within ${Math.round(timeoutMs)} ms`)), timeoutMs);
      const settle = (reply: Buffer | Error): void => {
        if (this.pending.get(key)?.settle !== settle) return;
        this.pending.delete(key);
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
      this.pending.set(key, { upstream, question: query.question, settle });
      socket.send(outgoing, upstream.port, upstream.host, (error) => {
        if (error) settle(new AttemptFailure('error', error.message));
      });
    });
  }

  private exchangeTcp(upstream: Upstream, packet: Buffer, query: ParsedQuery, timeoutMs: number): Promise<Buffer> {
    const id = randomInt(0x10000);
    const framed = Buffer.allocUnsafe(2 + packet.length);
    framed.writeUInt16BE(packet.length, 0);
    packet.copy(framed, 2);
    framed.writeUInt16BE(id, 2);
    return new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host: upstream.host, port: upstream.port });
      const reader = new FrameReader();
      const timer = setTimeout(() => fail(new AttemptFailure('timeout', `no TCP reply within ${Math.round(timeoutMs)} ms`)), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.on('connect', () => socket.write(framed));
      socket.on('data', (chunk) => {
        for (const reply of reader.push(chunk)) {
          if (matches(reply, id, query.question)) {
            clearTimeout(timer);
            socket.destroy();
            resolve(reply);
            return;
          }
        }
      });
      socket.on('error', (error) => fail(new AttemptFailure('error', error.message)));
      socket.on('close', () => fail(new AttemptFailure('error', 'upstream closed the TCP connection')));
    });
  }

  private socket(family: 'udp4' | 'udp6'): Promise<dgram.Socket> {
    let socket = this.sockets.get(family);
    if (!socket) {
      socket = new Promise<dgram.Socket>((resolve, reject) => {
        const created = dgram.createSocket(family);
        created.once('error', reject);
        created.bind(0, () => {
          created.off('error', reject);
          created.on('error', (error) => this.options.log.warn({ err: error.message }, 'upstream socket error'));
          created.on('message', (reply, from) => this.onReply(family, reply, from));
          resolve(created);
        });
      });
      socket.catch(() => this.sockets.delete(family));
      this.sockets.set(family, socket);
    }
    return socket;
  }

  private onReply(family: 'udp4' | 'udp6', reply: Buffer, from: dgram.RemoteInfo): void {
    if (reply.length < HEADER_LENGTH) return;
    const exchange = this.pending.get(`${family}/${reply.readUInt16BE(0)}`);
    // Only the upstream we asked, answering our question, may settle it: anything else may be spoofed.
    if (!exchange || from.port !== exchange.upstream.port || !sameAddress(from.address, exchange.upstream.host)) return;
    if (!matches(reply, reply.readUInt16BE(0), exchange.question)) return;
    exchange.settle(reply);
  }

  private freshId(family: 'udp4' | 'udp6'): number {
    for (;;) {
      const id = randomInt(0x10000);
      if (!this.pending.has(`${family}/${id}`)) return id;
    }
  }
}

// A reply to our query: same ID, QR set, and our question (compared without case), or no
// question at all when the upstream refused the query as an error.
function matches(reply: Buffer, id: number, question: Buffer): boolean {
  if (reply.length < HEADER_LENGTH || reply.readUInt16BE(0) !== id || !(reply.readUInt16BE(2) & HeaderFlag.QR)) return false;
  const questions = reply.readUInt16BE(4);
  if (questions === 0) return (reply.readUInt16BE(2) & 0xf) !== 0;
  if (questions !== 1 || reply.length < HEADER_LENGTH + question.length) return false;
  const nameLength = question.length - 4;
  for (let i = 0; i < nameLength; i++) {
    if (lower(reply[HEADER_LENGTH + i]!) !== lower(question[i]!)) return false;
  }
  return reply.readUInt32BE(HEADER_LENGTH + nameLength) === question.readUInt32BE(nameLength);
}

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
}

function sameAddress(received: string, expected: string): boolean {
  if (received === expected) return true;
  if (!net.isIPv6(received) || !net.isIPv6(expected)) return false;
  const block = new net.BlockList();
  block.addAddress(expected, 'ipv6');
  return block.check(received, 'ipv6');
}
