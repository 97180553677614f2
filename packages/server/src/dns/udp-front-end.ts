// Serves DNS over one bound UDP socket: each datagram is answered to its sender; closing stops
// taking queries and waits for the answers still in flight before releasing the socket.

import type dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import type { Logger } from '../log.js';
import type { QueryHandler } from './query-handler.js';
import { throttledWarning } from './throttled-warning.js';

// dgram resolves every send's address, even the IP literal a datagram came from, through
// dns.lookup, which answers a literal on the next tick: a deferred call and a tick per answer.
// This lookup answers literals at once (anything else still goes to dns.lookup).
// (dgram passes the family as a number, 4 or 6; the types say options.)
export function literalLookup(address: string, options: dns.LookupOneOptions, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const literal = net.isIP(address);
  if (literal !== 0) callback(null, address, literal);
  else dns.lookup(address, options, callback);
}

export class UdpFrontEnd {
  private inFlight = 0; // answers being relayed, or handed to the kernel with a callback
  private sends = 0;
  private closing = false;
  private drained: (() => void) | undefined;
  private readonly warnSend: ReturnType<typeof throttledWarning>;

  constructor(
    private readonly socket: dgram.Socket,
    private readonly handle: QueryHandler,
    private readonly log: Logger,
  ) {
    this.warnSend = throttledWarning(log, 'could not send a UDP answer');
    socket.on('message', (packet, from) => this.onMessage(packet, from));
    socket.on('error', (error) => log.error({ err: error.message }, 'DNS UDP socket error'));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    // Answers the kernel could not take at once wait in dgram's queue; closing would cancel them.
    for (let waited = 0; this.socket.getSendQueueCount() > 0 && waited < 1000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(packet: Buffer, from: dgram.RemoteInfo): void {
    if (this.closing) return;
    let answer: ReturnType<QueryHandler>;
    try {
      answer = this.handle(packet, 'udp', from.address);
    } catch (error) {
      // A bug for one packet must not take the server down; say which packet class hit it.
      this.log.error({ err: error, client: from.address, bytes: packet.length }, 'DNS query handling failed');
      return;
    }
    if (answer instanceof Promise) {
      this.inFlight++;
      answer
        .then((reply) => reply && this.send(reply, from))
        .catch((error: unknown) => this.log.error({ err: error, client: from.address }, 'DNS relay failed'))
        .finally(() => this.done());
    } else if (Buffer.isBuffer(answer)) {
      this.send(answer, from); // (a MessageStream is a TCP-only answer)
    }
  }

  private send(reply: Buffer, to: dgram.RemoteInfo): void {
    // With a callback, dgram defers a tick per answer to report a send the kernel took at once.
    // So most answers go without one; every 64th carries it, which still reports a path that
    // fails every send (a firewall, no route). close() waits for dgram's queue instead.
    if ((++this.sends & 63) !== 0) {
      this.socket.send(reply, to.port, to.address);
      return;
    }
    this.inFlight++;
    this.socket.send(reply, to.port, to.address, (error) => {
      if (error) this.warnSend({ err: error.message, client: to.address });
      this.done();
    });
  }

  private done(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.drained) this.drained();
  }
}
