// Serves DNS over TCP as RFC 7766 asks and as Knot, BIND and Unbound defend it: length-prefixed
// messages, several pipelined queries per connection; a cap per client address and a global
// one, where the oldest idle connection makes room for a new one (RFC 7766 6.2.3); hard
// deadlines that destroy the socket whatever the peer does; and backpressure: no reading while
// answers wait to be written, and a cap on the bytes queued for one connection.

import type net from 'node:net';
import type { Logger } from '../log.js';
import { tcpConnections, tcpConnectionsClosed } from '../metrics.js';
import { MessageStream, type QueryHandler } from './query-handler.js';
import { FrameReader } from './tcp-frame-reader.js';
import { withTcpKeepalive } from './tcp-keepalive.js';

export interface TcpFrontEndOptions {
  // A connection with nothing to read, answer or write is closed after this long.
  idleTimeoutMs: number;
  maxConnections: number;
  // Connections from one client address; past it that client's own oldest idle one goes.
  maxConnectionsPerClient?: number;
  // A started message must be complete within this; a slowloris byte does not extend it.
  frameTimeoutMs?: number;
  // After our FIN (idle close, eviction, shutdown), a peer that does not close is destroyed.
  closeTimeoutMs?: number;
  // Answers queued for writing before the connection stops answering and reading.
  maxQueuedBytes?: number;
  // Unanswered (relayed) queries per connection before it stops reading.
  maxPendingPerConnection?: number;
  // After close() has let in-flight answers out, how long peers get to close before being cut.
  closeGraceMs?: number;
}

export const tcpDefaults = {
  idleTimeoutMs: 10_000, // Knot's default; BIND waits 30 s
  maxConnections: 1024,
  maxConnectionsPerClient: 32,
  // Knot cuts at 0.5 s. A query fits one segment, so a legitimate frame is split only by a
  // lost segment: 1 s covers Linux's 200 ms minimum retransmission timeout a few times over.
  frameTimeoutMs: 1000,
  closeTimeoutMs: 1000,
  maxQueuedBytes: 64 * 1024,
  maxPendingPerConnection: 64,
};

// Pipelined messages answered per connection per event-loop turn, and in all per turn: a
// client pipelining thousands (or twenty that never read) waits behind the event loop instead
// of holding it, so UDP and other connections are served every turn.
const framesPerTurn = 8;
const framesPerLoopTurn = 64;

// Connections with whole messages still held get turns, round robin, one batch per event-loop
// turn (setImmediate runs after the poll phase, where UDP and new TCP data are read).
class TurnScheduler {
  private readonly waiting = new Set<TcpConnection>();
  private scheduled: NodeJS.Immediate | undefined;

  defer(connection: TcpConnection): void {
    this.waiting.add(connection);
    this.scheduled ??= setImmediate(() => this.run());
  }

  isWaiting(connection: TcpConnection): boolean {
    return this.waiting.has(connection);
  }

  private run(): void {
    this.scheduled = undefined;
    let budget = framesPerLoopTurn;
    for (const connection of [...this.waiting]) {
      if (budget <= 0) break;
      this.waiting.delete(connection);
      budget -= connection.processFrames(Math.min(framesPerTurn, budget));
    }
    if (this.waiting.size > 0) this.scheduled ??= setImmediate(() => this.run());
  }
}

type CloseReason = 'idle' | 'frame_timeout' | 'write_stalled' | 'evicted' | 'close_timeout';

export class TcpFrontEnd {
  private readonly connections = new Set<TcpConnection>();
  private readonly perClient = new Map<string, number>();
  private readonly turns = new TurnScheduler();
  private readonly settings: Required<Omit<TcpFrontEndOptions, 'closeGraceMs'>> & { closeGraceMs: number };
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    server: net.Server,
    private readonly handle: QueryHandler,
    options: TcpFrontEndOptions,
    private readonly log: Logger,
  ) {
    this.settings = { ...tcpDefaults, closeGraceMs: 1000, ...stripUndefined(options) };
    server.on('connection', (socket) => this.accept(socket));
  }

  get openConnections(): number {
    return this.connections.size;
  }

  // The caller stops the listener; this finishes the answers in flight and closes connections.
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.connections].map((connection) => connection.finish(this.settings.closeGraceMs)));
    this.stopSweeping();
  }

  private accept(socket: net.Socket): void {
    const client = socket.remoteAddress ?? 'unknown';
    if (this.closing || !this.makeRoom(client)) {
      this.log.debug({ client, open: this.connections.size }, 'DNS TCP connection refused: at the cap with no idle connection to close');
      tcpConnectionsClosed.labels('refused').inc();
      socket.destroy();
      return;
    }
    const connection = new TcpConnection(socket, client, this.handle, this.settings, this.turns, this.log, () => {
      this.connections.delete(connection);
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
      tcpConnections.dec();
      if (this.connections.size === 0) this.stopSweeping();
    });
    this.connections.add(connection);
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    tcpConnections.inc();
    this.sweeper ??= setInterval(() => this.sweep(), sweepInterval(this.settings)).unref();
  }

  // At a cap, the oldest idle connection (of this client at its own cap, else of anyone) is
  // closed for the new one. False when every connection in the way is busy.
  private makeRoom(client: string): boolean {
    const own = this.perClient.get(client) ?? 0;
    if (own >= this.settings.maxConnectionsPerClient) return this.evictOldestIdle((c) => c.client === client);
    if (this.connections.size - this.evicting() >= this.settings.maxConnections) return this.evictOldestIdle(() => true);
    return true;
  }

  private evictOldestIdle(eligible: (connection: TcpConnection) => boolean): boolean {
    let oldest: TcpConnection | undefined;
    for (const connection of this.connections) {
      if (!connection.idle || !eligible(connection)) continue;
      if (!oldest || connection.lastActiveAt < oldest.lastActiveAt) oldest = connection;
    }
    if (!oldest) return false;
    oldest.shutDown('evicted');
    return true;
  }

  // Evicted connections may linger until their peer closes (or closeTimeoutMs); they no
  // longer count against the global cap, which is a cap on connections we serve.
  private evicting(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.ending) count++;
    return count;
  }

  // One timer for every connection's deadlines, running only while connections are open.
  private sweep(): void {
    const now = performance.now();
    for (const connection of this.connections) connection.enforceDeadlines(now);
  }

  private stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function sweepInterval(settings: { idleTimeoutMs: number; frameTimeoutMs: number; closeTimeoutMs: number }): number {
  return Math.max(10, Math.min(100, settings.idleTimeoutMs / 4, settings.frameTimeoutMs / 4, settings.closeTimeoutMs / 4));
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

class TcpConnection {
  private readonly reader = new FrameReader();
  private pending = 0; // relayed queries not yet answered
  private peerEnded = false;
  private finishing = false;
  private endedAt: number | undefined; // when we sent our FIN
  private frameStartedAt: number | undefined;
  private stalledSince: number | undefined; // answers queued and the peer not reading
  private stream: Iterator<Buffer> | undefined; // a zone transfer still being written
  lastActiveAt = performance.now();
  private readonly closedPromise: Promise<void>;
  private settledAll: (() => void) | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly client: string,
    private readonly handle: QueryHandler,
    private readonly settings: Required<Omit<TcpFrontEndOptions, 'closeGraceMs'>>,
    private readonly turns: TurnScheduler,
    private readonly log: Logger,
    onClose: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Half-close: a client may send its queries and then its FIN; it still gets every answer.
    socket.on('end', () => {
      this.peerEnded = true;
      this.endIfDone();
    });
    socket.on('drain', () => {
      this.lastActiveAt = performance.now();
      this.pumpStream();
      this.processFrames();
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

  // Nothing half-read, nothing being answered, nothing waiting to be written: safe to close.
  get idle(): boolean {
    return this.endedAt === undefined && this.pending === 0 && !this.reader.midFrame && this.socket.writableLength === 0;
  }

  get ending(): boolean {
    return this.endedAt !== undefined;
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

  shutDown(reason: CloseReason): void {
    if (this.endedAt !== undefined) return;
    this.log.debug({ client: this.client, reason }, 'DNS TCP connection closed');
    tcpConnectionsClosed.labels(reason).inc();
    this.endedAt = performance.now();
    this.socket.pause();
    this.socket.end();
  }

  private destroy(reason: CloseReason): void {
    this.log.debug({ client: this.client, reason }, 'DNS TCP connection destroyed');
    tcpConnectionsClosed.labels(reason).inc();
    this.socket.destroy();
  }

  // Called by the front end's sweep: every deadline destroys or closes, none waits on the peer.
  enforceDeadlines(now: number): void {
    if (this.socket.destroyed) return;
    const s = this.settings;
    if (this.endedAt !== undefined) {
      if (now - this.endedAt >= s.closeTimeoutMs) this.destroy('close_timeout');
    } else if (this.frameStartedAt !== undefined && now - this.frameStartedAt >= s.frameTimeoutMs) {
      this.destroy('frame_timeout');
    } else if (this.writeStalled(now)) {
      this.destroy('write_stalled');
    } else if (this.idle && now - this.lastActiveAt >= s.idleTimeoutMs) {
      this.shutDown('idle');
    }
  }

  // Answers waiting in our queue for the whole idle timeout: the peer is not reading. A queue
  // that empties at any sweep starts the clock again.
  private writeStalled(now: number): boolean {
    if (this.socket.writableLength === 0) {
      this.stalledSince = undefined;
      return false;
    }
    this.stalledSince ??= now;
    return now - this.stalledSince >= this.settings.idleTimeoutMs;
  }

  private onData(chunk: Buffer): void {
    if (this.finishing || this.endedAt !== undefined) return;
    this.reader.append(chunk);
    this.processFrames();
  }

  // Answers up to `limit` of the messages held, until the write queue or the relay count says
  // stop; then the socket stays paused (and the kernel's window closes on the client) until
  // there is room. Whole messages left over wait for a later turn (TurnScheduler).
  // Returns how many it answered.
  processFrames(limit = framesPerTurn): number {
    if (this.finishing || this.endedAt !== undefined || this.socket.destroyed) return 0;
    let answered = 0;
    let readAll = false; // stopped because what is held is no whole message
    this.socket.cork();
    try {
      while (!this.mustWait()) {
        if (answered >= limit) {
          this.turns.defer(this);
          break;
        }
        const message = this.reader.next();
        if (!message) {
          readAll = true;
          break;
        }
        answered++;
        this.lastActiveAt = performance.now();
        this.answer(message);
      }
    } finally {
      this.socket.uncork();
    }
    const now = performance.now();
    // Only an incomplete message runs the message deadline; whole ones waiting for room are
    // covered by the write-stall deadline.
    if (readAll && this.reader.midFrame) this.frameStartedAt ??= now;
    else this.frameStartedAt = undefined;
    if (this.mustWait() || this.turns.isWaiting(this)) this.socket.pause();
    else this.socket.resume();
    this.endIfDone();
    return answered;
  }

  private mustWait(): boolean {
    return this.socket.writableLength >= this.settings.maxQueuedBytes || this.pending >= this.settings.maxPendingPerConnection;
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
        .then((bytes) => bytes && this.write(withTcpKeepalive(message, bytes, this.settings.idleTimeoutMs)))
        .catch((error: unknown) => this.log.error({ err: error, client: this.client }, 'DNS relay failed'))
        .finally(() => {
          this.pending--;
          this.lastActiveAt = performance.now();
          if (this.pending === 0) this.settledAll?.();
          this.processFrames();
          this.endIfDone();
        });
    } else if (reply instanceof MessageStream) {
      if (this.stream) return; // one transfer at a time per connection; the client asks again
      this.pending++;
      this.stream = reply.messages;
      this.pumpStream();
    } else if (reply) {
      this.write(withTcpKeepalive(message, reply, this.settings.idleTimeoutMs));
    }
  }

  // Writes zone transfer messages while the write queue has room; 'drain' brings us back, so a
  // large zone is never queued whole and a secondary that stops reading hits the stall deadline.
  private pumpStream(): void {
    while (this.stream && this.socket.writableLength < this.settings.maxQueuedBytes) {
      let next: IteratorResult<Buffer>;
      try {
        next = this.stream.next();
      } catch (error) {
        this.log.error({ err: error, client: this.client }, 'zone transfer failed');
        this.socket.destroy();
        next = { done: true, value: undefined };
      }
      if (next.done || this.socket.destroyed) {
        this.stream = undefined;
        this.pending--;
        this.lastActiveAt = performance.now();
        if (this.pending === 0) this.settledAll?.();
        this.processFrames();
        this.endIfDone();
        return;
      }
      this.write(next.value);
    }
  }

  private write(reply: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const framed = Buffer.allocUnsafe(2 + reply.length);
    framed.writeUInt16BE(reply.length, 0);
    reply.copy(framed, 2);
    this.socket.write(framed);
  }

  // After the peer's FIN (or on shutdown) the connection ends once every answer is out; a
  // message the peer left half-sent can never complete, so it does not hold the connection.
  private endIfDone(): void {
    if (this.endedAt !== undefined || this.pending > 0 || this.socket.destroyed) return;
    if (this.finishing) {
      this.endedAt = performance.now();
      this.socket.end();
    } else if (this.peerEnded && !this.mustWait() && !this.turns.isWaiting(this)) {
      this.endedAt = performance.now();
      this.socket.end();
    }
  }
}
