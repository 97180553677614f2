// A minimal UDP DNS client for probes: one question, the answer's addresses and TTLs. The
// benchmarks poll servers every few milliseconds, so it keeps one socket per server and
// matches replies by ID instead of spawning dig.
import { createSocket, type Socket } from 'node:dgram';

export const TYPE_A = 1;
export const TYPE_AAAA = 28;

export interface DnsAnswer {
  rcode: number;
  /** Addresses of the A/AAAA records in the answer section, sorted. */
  addresses: string[];
  /** Smallest TTL in the answer section (undefined when it is empty). */
  minTtl: number | undefined;
}

function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, qname, tail]);
}

function skipName(buf: Buffer, off: number): number {
  for (;;) {
    const len = buf[off];
    if (len === undefined) throw new Error('truncated name');
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len === 0) return off + 1;
    off += 1 + len;
  }
}

function formatIPv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Longest run of zero groups becomes '::', as the canonical form has it.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function decodeAnswer(buf: Buffer): DnsAnswer {
  const rcode = (buf[3] ?? 0) & 0x0f;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  const addresses: string[] = [];
  let minTtl: number | undefined;
  for (let i = 0; i < an; i++) {
    off = skipName(buf, off);
    const type = buf.readUInt16BE(off);
    const ttl = buf.readUInt32BE(off + 4);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdata = buf.subarray(off + 10, off + 10 + rdlen);
    off += 10 + rdlen;
    minTtl = minTtl === undefined ? ttl : Math.min(minTtl, ttl);
    if (type === TYPE_A && rdlen === 4) addresses.push([...rdata].join('.'));
    if (type === TYPE_AAAA && rdlen === 16) addresses.push(formatIPv6(rdata));
  }
  return { rcode, addresses: addresses.sort(), minTtl };
}

/** One UDP socket to one server; `query` resolves with the reply or rejects after a timeout. */
export class DnsProbeClient {
  private readonly socket: Socket;
  private nextId = Math.floor(Math.random() * 0xffff);
  private readonly pending = new Map<number, (msg: Buffer) => void>();

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg) => {
      if (msg.length < 12) return;
      const done = this.pending.get(msg.readUInt16BE(0));
      if (done) done(msg);
    });
    this.socket.on('error', () => {
      // A probe that gets no reply times out; the error itself says nothing more.
    });
  }

  query(name: string, qtype = TYPE_A, timeoutMs = 1000): Promise<DnsAnswer> {
    const id = (this.nextId = (this.nextId + 1) & 0xffff);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply from ${this.host}:${this.port} for ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        this.pending.delete(id);
        try {
          resolve(decodeAnswer(msg));
        } catch (e) {
          reject(e as Error);
        }
      });
      this.socket.send(encodeQuery(id, name, qtype), this.port, this.host);
    });
  }

  close(): void {
    this.socket.close();
  }
}
