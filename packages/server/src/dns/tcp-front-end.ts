// Serves DNS over TCP as RFC 7766 asks: length-prefixed messages, several pipelined queries per
// connection answered as each is ready, an idle timeout, and a cap on open connections.

import type net from 'node:net';
import type { Logger } from '../log.js';
import { tcpConnections } from '../metrics.js';
import type { QueryHandler } from './query-handler.js';
import { FrameReader } from './tcp-frame-reader.js';

export interface TcpFrontEndOptions {
  idleTimeoutMs: number;
  maxConnections: number;
  // Unanswered queries per connection before it stops reading: a client that never reads its
  // answers cannot make the server queue without bound.
  maxPendingPerConnection?: number;
  // After close() has let in-flight answers out, how long peers get to close before being cut.
  closeGraceMs?: number;
}

export class TcpFrontEnd {
  private readonly connections = new Set<TcpConnection>();
  private closing = false;

  constructor(
    server: net.Server,
    private readonly handle: QueryHandler,
    private readonly options: TcpFrontEndOptions,
    private readonly log: Logger,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  get openConnections(): number {
    return this.connections.size;
  }

  // The caller stops the listener; this finishes the answers in flight and closes connections.
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.connections].map((connection) => connection.finish(this.options.closeGraceMs ?? 1000)));
  }

  private accept(socket: net.Socket): void {
    if (this.closing || this.connections.size >= this.options.maxConnections) {
      this.log.debug({ client: socket.remoteAddress, open: this.connections.size }, 'DNS TCP connection refused: at the cap');
      socket.destroy();
      return;
    }
    const connection = new TcpConnection(socket, this.handle, this.options, this.log, () => {
      this.connections.delete(connection);
      tcpConnections.dec();
    });
    this.connections.add(connection);
    tcpConnections.inc();
  }
}

class TcpConnection {
  private readonly reader = new FrameReader();
  private readonly client: string;
  private pending = 0;
  private peerEnded = false;
  private finishing = false;
  private ended = false;
  private waitingForDrain = false;
  private readonly closedPromise: Promise<void>;
  private settledAll: (() => void) | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly handle: QueryHandler,
    private readonly options: TcpFrontEndOptions,
    private readonly log: Logger,
    onClose: () => void,
  ) {
    this.client = socket.remoteAddress ?? 'unknown';
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Half-close: a client may send its queries and then its FIN; it still gets every answer.
    socket.on('end', () => {
      this.peerEnded = true;
      this.endIfDone();
    });
    socket.on('timeout', () => this.onIdle());
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.resumeIfAllowed();
    });
    socket.on('error', (error) => this.log.debug({ client: this.client, err: error.message }, 'DNS TCP connection error'));
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        onClose();
        this.settledAll?.();
        resolve();
      }),
    );
  }

  async finish(graceMs: number): Promise<void> {
    this.finishing = true;
    this.socket.pause();
    if (this.pending > 0) await new Promise<void>((resolve) => (this.settledAll = resolve));
    this.endIfDone();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    await this.closedPromise;
    clearTimeout(timer);
  }

  private onData(chunk: Buffer): void {
    if (this.finishing) return;
    for (const message of this.reader.push(chunk)) this.answer(message);
    this.pauseIfNeeded();
  }

  private answer(message: Buffer): void {
    let reply: ReturnType<QueryHandler>;
    try {
      reply = this.handle(message, 'tcp', this.client);
    } catch (error) {
      this.log.error({ err: error, client: this.client, bytes: message.length }, 'DNS query handling failed');
      return;
    }
    if (reply instanceof Promise) {
      this.pending++;
      reply
        .then((bytes) => bytes && this.write(bytes))
        .catch((error: unknown) => this.log.error({ err: error, client: this.client }, 'DNS relay failed'))
        .finally(() => {
          this.pending--;
          if (this.pending === 0) this.settledAll?.();
          this.resumeIfAllowed();
          this.endIfDone();
        });
    } else if (reply) {
      this.write(reply);
    }
  }

  private write(reply: Buffer): void {
    if (this.ended || this.socket.destroyed) return;
    const framed = Buffer.allocUnsafe(2 + reply.length);
    framed.writeUInt16BE(reply.length, 0);
    reply.copy(framed, 2);
    if (!this.socket.write(framed)) {
      this.waitingForDrain = true;
      this.socket.pause();
    }
  }

  private pauseIfNeeded(): void {
    if (this.pending >= (this.options.maxPendingPerConnection ?? 64)) this.socket.pause();
  }

  private resumeIfAllowed(): void {
    if (this.finishing || this.waitingForDrain || this.socket.destroyed) return;
    if (this.pending < (this.options.maxPendingPerConnection ?? 64)) this.socket.resume();
  }

  private endIfDone(): void {
    if ((this.peerEnded || this.finishing) && this.pending === 0 && !this.ended) {
      this.ended = true;
      this.socket.end();
    }
  }

  // Idle means nothing read or written for the whole timeout and no relay outstanding. A peer
  // that ignores our FIN is cut at the next timeout.
  private onIdle(): void {
    if (this.ended) {
      this.socket.destroy();
      return;
    }
    if (this.pending > 0) return;
    this.log.debug({ client: this.client }, 'DNS TCP connection idle: closing');
    this.ended = true;
    this.socket.end();
  }
}
