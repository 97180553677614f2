// Real-socket DNS clients for the tests: UDP and RFC 7766 TCP with dns-packet doing the
// encoding, so the server is checked against an independent implementation.

import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from '@leichtgewicht/dns-packet';

export interface QueryOptions {
  id?: number;
  recursionDesired?: boolean;
  edns?: { udpPayloadSize?: number; version?: number; dnssecOk?: boolean };
  qclass?: 'IN' | 'CH';
}

export function encodeQuery(name: string, type: string, options: QueryOptions = {}): Buffer {
  const packet: dnsPacket.Packet = {
    type: 'query',
    id: options.id ?? Math.floor(Math.random() * 65536),
    flags: options.recursionDesired === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.Question['type'], class: options.qclass ?? 'IN' }],
  };
  if (options.edns) {
    packet.additionals = [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: options.edns.udpPayloadSize ?? 1232,
        ednsVersion: options.edns.version ?? 0,
        flags: options.edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
      } as unknown as dnsPacket.Answer,
    ];
  }
  return Buffer.from(dnsPacket.encode(packet));
}

export interface DecodedResponse {
  bytes: Buffer;
  packet: dnsPacket.Packet;
  rcode: string;
  flags: number;
}

export function decodeResponse(bytes: Buffer): DecodedResponse {
  const packet = dnsPacket.decode(bytes);
  const opt = packet.additionals?.find((record) => record.type === 'OPT') as { extendedRcode?: number } | undefined;
  const rcodeValue = (bytes.readUInt16BE(2) & 0xf) | ((opt?.extendedRcode ?? 0) << 4);
  return { bytes, packet, rcode: rcodeName(rcodeValue), flags: bytes.readUInt16BE(2) };
}

function rcodeName(value: number): string {
  const names: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };
  return names[value] ?? `RCODE${value}`;
}

// Sends raw bytes over UDP and resolves with the first reply, or undefined after `timeoutMs`.
export function udpExchange(port: number, bytes: Buffer, timeoutMs = 2000, host = '127.0.0.1', localAddress?: string): Promise<Buffer | undefined> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  if (localAddress) socket.bind(0, localAddress);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => finish(reply));
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(bytes, port, host);
  });
}

export async function udpQuery(port: number, name: string, type: string, options: QueryOptions = {}, host = '127.0.0.1'): Promise<DecodedResponse> {
  const reply = await udpExchange(port, encodeQuery(name, type, options), 2000, host);
  if (!reply) throw new Error(`no UDP reply for ${name} ${type}`);
  return decodeResponse(reply);
}

export function frame(message: Buffer): Buffer {
  const framed = Buffer.alloc(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}

// A TCP connection that collects length-prefixed replies as they arrive.
export class TcpDnsConnection {
  readonly replies: Buffer[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 2 && this.pending.length >= 2 + this.pending.readUInt16BE(0)) {
        const length = this.pending.readUInt16BE(0);
        this.replies.push(this.pending.subarray(2, 2 + length));
        this.pending = this.pending.subarray(2 + length);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  // `localAddress` picks the client's source (any 127.0.0.0/8 address works on loopback).
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<TcpDnsConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new TcpDnsConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  // Resolves once `count` replies arrived (or the connection closed, or the time ran out).
  async waitForReplies(count: number, timeoutMs = 3000): Promise<Buffer[]> {
    await this.waitFor((replies) => replies.length >= count, timeoutMs);
    return this.replies.slice(0, count);
  }

  async waitForClose(timeoutMs = 3000): Promise<boolean> {
    await this.waitFor(() => false, timeoutMs);
    return this.closed;
  }

  // Resolves true once the replies so far satisfy `done`, false on close or timeout.
  async waitFor(done: (replies: Buffer[]) => boolean, timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.replies)) {
      if (this.closed || Date.now() >= deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export async function tcpQuery(port: number, name: string, type: string, options: QueryOptions = {}, host = '127.0.0.1'): Promise<DecodedResponse> {
  const connection = await TcpDnsConnection.open(port, host);
  try {
    connection.write(frame(encodeQuery(name, type, options)));
    const [reply] = await connection.waitForReplies(1);
    if (!reply) throw new Error(`no TCP reply for ${name} ${type}`);
    return decodeResponse(reply);
  } finally {
    connection.close();
  }
}
