// Raw DNS exchanges for differential tests: one query, the same bytes to any server over UDP or
// TCP, and the reply reduced to what two servers can be compared on (rcode, flags, each section
// as a set of record lines).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from '@leichtgewicht/dns-packet';

export interface WireQuery {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  recursionDesired: boolean;
  ednsSize?: number; // no OPT when absent
}

export function encodeWireQuery(q: WireQuery, id: number): Buffer {
  return Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id,
      flags: q.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
      questions: [{ name: q.name, type: q.type as dnsPacket.Question['type'], class: 'IN' }],
      additionals: q.ednsSize === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: q.ednsSize } as unknown as dnsPacket.Answer],
    }),
  );
}

export function exchange(port: number, bytes: Buffer, transport: 'udp' | 'tcp', timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${transport} reply from 127.0.0.1:${port}`)), timeoutMs);
    let finish: (result: Buffer | Error) => void;
    if (transport === 'udp') {
      const socket = createSocket('udp4');
      finish = (result) => {
        clearTimeout(timer);
        socket.close();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      socket.on('message', (reply) => finish(reply));
      socket.on('error', (error) => finish(error));
      socket.send(bytes, port, '127.0.0.1');
    } else {
      const socket = connect({ host: '127.0.0.1', port });
      let buffered = Buffer.alloc(0);
      finish = (result) => {
        clearTimeout(timer);
        socket.destroy();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      socket.on('connect', () => {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(bytes.length);
        socket.write(Buffer.concat([length, bytes]));
      });
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      });
      socket.on('error', (error) => finish(error));
    }
  });
}

export interface ComparableReply {
  rcode: string;
  flags: string[]; // aa, tc, rd, ra, ad, cd (qr always)
  question: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  size: number;
}

const rcodes = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

function recordLine(r: dnsPacket.Answer): string {
  if (r.type === 'OPT') {
    const opt = r as unknown as { udpPayloadSize: number; flags?: number; extendedRcode?: number; ednsVersion?: number; options?: unknown[] };
    return `OPT size=${opt.udpPayloadSize} version=${opt.ednsVersion ?? 0} do=${(opt.flags ?? 0) & dnsPacket.DNSSEC_OK ? 1 : 0} options=${opt.options?.length ?? 0}`;
  }
  const data = typeof r.data === 'object' && r.data !== null && !Buffer.isBuffer(r.data) ? JSON.stringify(r.data) : String(r.data);
  return `${r.name} ${r.ttl} ${r.class} ${r.type} ${data}`;
}

export function comparable(reply: Buffer): ComparableReply {
  const packet = dnsPacket.decode(reply);
  const word = reply.readUInt16BE(2);
  const flags = ([['aa', 0x0400], ['tc', 0x0200], ['rd', 0x0100], ['ra', 0x0080], ['ad', 0x0020], ['cd', 0x0010]] as const)
    .filter(([, bit]) => word & bit)
    .map(([name]) => name);
  const sorted = (records: dnsPacket.Answer[] | undefined) => (records ?? []).map(recordLine).sort();
  return {
    rcode: rcodes[word & 0xf] ?? `RCODE${word & 0xf}`,
    flags,
    question: (packet.questions ?? []).map((q) => `${q.name} ${q.class} ${q.type}`),
    answer: sorted(packet.answers),
    authority: sorted(packet.authorities),
    additional: sorted(packet.additionals),
    size: reply.length,
  };
}
