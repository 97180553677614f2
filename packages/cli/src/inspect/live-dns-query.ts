// Asks a running minilb (or any DNS server) what it answers: UDP first, TCP when the reply is
// truncated, as a stub resolver would. Used by `inspect --dns` and `doctor --dns`.

import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from '@leichtgewicht/dns-packet';

export interface LiveAnswer {
  rcode: string;
  authoritative: boolean;
  truncatedOverUdp: boolean;
  transport: 'udp' | 'tcp';
  records: { type: string; data: string; ttl: number }[];
  authority: { type: string; name: string; data: unknown; ttl: number }[];
}

export function parseServerAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not host:port (example: 127.0.0.1:5353)`);
  return { host: match[1] ?? match[2]!, port: match[3] ? Number(match[3]) : 53 };
}

function encode(name: string, type: string, id: number): Buffer {
  return Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type: type as dnsPacket.Question['type'], class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer],
    }),
  );
}

function overUdp(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no answer from ${host}:${port} over UDP within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('message', (reply) => {
      if (reply.length < 2 || reply.readUInt16BE(0) !== query.readUInt16BE(0)) return;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.send(query, port, host);
  });
}

export function overTcp(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let data = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} over TCP within ${timeoutMs} ms`));
    });
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.end();
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
      }
    });
    socket.on('error', reject);
  });
}

function recordData(answer: dnsPacket.Answer): string {
  const data = (answer as { data?: unknown }).data;
  if (typeof data === 'string') return data;
  if (answer.type === 'SRV') {
    const srv = data as { priority: number; weight: number; port: number; target: string };
    return `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`;
  }
  return JSON.stringify(data);
}

export async function queryLive(
  server: string,
  name: string,
  type: string,
  options: { transport?: 'auto' | 'tcp'; timeoutMs?: number } = {},
): Promise<LiveAnswer> {
  const { host, port } = parseServerAddress(server);
  const timeoutMs = options.timeoutMs ?? 2000;
  const query = encode(name, type, Math.floor(Math.random() * 65536));
  let bytes: Buffer;
  let transport: 'udp' | 'tcp' = 'udp';
  let truncatedOverUdp = false;
  if (options.transport === 'tcp') {
    bytes = await overTcp(host, port, query, timeoutMs);
    transport = 'tcp';
  } else {
    bytes = await overUdp(host, port, query, timeoutMs);
    if (dnsPacket.decode(bytes).flag_tc) {
      truncatedOverUdp = true;
      bytes = await overTcp(host, port, query, timeoutMs);
      transport = 'tcp';
    }
  }
  const packet = dnsPacket.decode(bytes);
  return {
    rcode: packet.rcode ?? 'NOERROR',
    authoritative: packet.flag_aa ?? false,
    truncatedOverUdp,
    transport,
    records: (packet.answers ?? []).map((a) => ({ type: a.type, data: recordData(a), ttl: (a as { ttl?: number }).ttl ?? 0 })),
    authority: (packet.authorities ?? []).map((a) => ({ type: a.type, name: a.name, data: (a as { data?: unknown }).data, ttl: (a as { ttl?: number }).ttl ?? 0 })),
  };
}
