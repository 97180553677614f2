import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { captureLog, type CapturedLog } from '../../testing/captured-log.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { decodeResponse, encodeQuery, frame, TcpDnsConnection, tcpQuery, udpQuery } from '../../testing/dns-test-client.js';
import { parseListenAddress, parseUpstreamAddress } from '../config/host-port.js';

// Random and mutated packets from a seeded generator (the seed is in the test name, so a
// failure can be replayed), sent at a real server that must keep answering correctly.
const SEED = 0x5eed_2026;
const UDP_PACKETS = 100_000;
const BATCH = 250;

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const names = ['web.shop.minilb', 'WEB.Shop.minilb', 'many.shop.minilb', 'shop.minilb', 'minilb', 'nope.minilb', 'example.org', '.', 'paperless.sko.ai'];
const types = ['A', 'AAAA', 'SRV', 'CNAME', 'NS', 'SOA', 'TXT', 'ANY', 'AXFR', 'MX', 'HTTPS'];

function packetGenerator(random: () => number) {
  const int = (n: number): number => Math.floor(random() * n);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  const valid = (): Buffer => {
    const useEdns = random() < 0.5;
    return encodeQuery(names[int(names.length)]!, types[int(types.length)]!, {
      id: int(65536),
      recursionDesired: random() < 0.5,
      edns: useEdns ? { udpPayloadSize: int(65536), version: random() < 0.1 ? int(256) : 0, dnssecOk: random() < 0.3 } : undefined,
    });
  };
  const header = (id: number, flags: number, qd: number, an: number, ns: number, ar: number): Buffer => {
    const h = Buffer.alloc(12);
    [id, flags, qd, an, ns, ar].forEach((value, i) => h.writeUInt16BE(value & 0xffff, i * 2));
    return h;
  };
  const kinds: Array<() => Buffer> = [
    () => bytes(int(600)), // noise of any length, including under 12 bytes
    () => {
      const packet = valid(); // flipped bytes anywhere
      for (let i = 1 + int(8); i > 0; i--) packet[int(packet.length)] = int(256);
      return packet;
    },
    () => valid().subarray(0, int(40)), // truncated mid-header or mid-question
    () => Buffer.concat([header(int(65536), 0, 0xffff, 0xffff, 0xffff, 0xffff), bytes(int(100))]), // huge counts
    () => Buffer.concat([header(int(65536), 0, 1, 0, 0, 0), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]), // question points at itself
    () => {
      // A valid question, then an additional record whose owner is a pointer loop.
      const question = valid().subarray(12, 12 + 4 + 17);
      const loop = Buffer.from([0xc0, 12 + question.length, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]);
      return Buffer.concat([header(int(65536), 0, 1, 0, 0, 1), encodeQuery('web.shop.minilb', 'A').subarray(12), loop]);
    },
    () => {
      const packet = valid(); // every opcode, and the QR bit
      packet[2] = (packet[2]! & 0x87) | (int(16) << 3) | (random() < 0.2 ? 0x80 : 0);
      return packet;
    },
    () => Buffer.concat([header(int(65536), 0, 1, 0, 0, 0), Buffer.from([64 + int(192)]), bytes(int(300))]), // bad label lengths
    () => {
      // A name of 300 bytes: over the 255 limit.
      const labels = Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([59]), Buffer.alloc(59, 0x61)]));
      return Buffer.concat([header(int(65536), 0, 1, 0, 0, 0), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
    },
    () => {
      const packet = valid(); // counts rewritten at random
      packet.writeUInt16BE(int(4), 4 + 2 * int(4));
      return packet;
    },
    () => {
      // Two OPT records, or an OPT with a non-root owner.
      const query = encodeQuery('web.shop.minilb', 'A', { edns: {} });
      const opt = query.subarray(query.length - 11);
      const twice = Buffer.concat([query, opt]);
      twice.writeUInt16BE(2, 10);
      const named = Buffer.concat([query.subarray(0, query.length - 11), Buffer.from([1, 0x61]), opt]);
      return random() < 0.5 ? twice : named;
    },
  ];
  return () => kinds[int(kinds.length)]!();
}

let server: DnsServer;
let upstream: DnsServer; // a second minilb, so mutated queries for unknown names go through the relay too
let captured: CapturedLog;
const processErrors: unknown[] = [];
const recordError = (error: unknown): void => void processErrors.push(error);

beforeAll(async () => {
  process.on('uncaughtException', recordError);
  process.on('unhandledRejection', recordError);
  captured = captureLog();
  const index = new MapNameIndex('minilb')
    .set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7'] })
    .set('many.shop.minilb', { a: Array.from({ length: 100 }, (_, i) => `10.244.3.${i + 1}`) })
    .set('paperless.sko.ai', { a: ['10.244.1.9'] });
  const upstreamIndex = new MapNameIndex('example.org').set('example.org', { a: ['192.0.2.1'] });
  upstream = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index: upstreamIndex, log: captured.log });
  server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index, log: captured.log, upstream: [parseUpstreamAddress(`127.0.0.1:${upstream.port}`)] });
});

afterAll(async () => {
  await server.close();
  await upstream.close();
  process.off('uncaughtException', recordError);
  process.off('unhandledRejection', recordError);
});

async function expectServerHealthy(): Promise<void> {
  const udp = await udpQuery(server.port, 'WEB.shop.minilb', 'A', { id: 1234 });
  expect(udp.packet.id).toBe(1234);
  expect(udp.packet.questions?.[0]?.name).toBe('WEB.shop.minilb');
  expect(udp.packet.answers?.map((r) => r.data).sort()).toEqual(['10.244.1.5', '10.244.2.7']);
  expect((await udpQuery(server.port, 'nope.minilb', 'A')).rcode).toBe('NXDOMAIN');
  expect((await udpQuery(server.port, 'Example.ORG', 'A')).packet.answers?.[0]?.data).toBe('192.0.2.1');
  expect((await tcpQuery(server.port, 'many.shop.minilb', 'A')).packet.answers).toHaveLength(100);
}

describe('malformed and hostile input', () => {
  it(`survives ${UDP_PACKETS} random and mutated UDP packets (seed ${SEED.toString(16)}) and still answers correctly`, { timeout: 90_000 }, async () => {
    const next = packetGenerator(prng(SEED));
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const replies: Buffer[] = [];
    let probeSeen: (() => void) | undefined;
    const PROBE_ID = 0xfffe;
    socket.on('message', (reply) => {
      if (reply.readUInt16BE(0) === PROBE_ID && reply.length > 12 && reply.readUInt16BE(6) === 2) probeSeen?.();
      else replies.push(reply);
    });
    const probe = encodeQuery('web.shop.minilb', 'A', { id: PROBE_ID });
    let sentBytes = 0;

    for (let sent = 0; sent < UDP_PACKETS; sent += BATCH) {
      for (let i = 0; i < BATCH; i++) {
        const packet = next();
        sentBytes += packet.length;
        socket.send(packet, server.port, '127.0.0.1');
      }
      // A valid query after each batch paces the sender to the server, so the kernel buffer
      // never overflows and every batch is really processed.
      let answered = false;
      for (let attempt = 0; attempt < 5 && !answered; attempt++) {
        answered = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 1000);
          probeSeen = () => {
            clearTimeout(timer);
            resolve(true);
          };
          socket.send(probe, server.port, '127.0.0.1');
        });
      }
      expect(answered, `the server stopped answering after ${sent + BATCH} packets`).toBe(true);
    }
    socket.close();

    expect(replies.length).toBeGreaterThan(UDP_PACKETS / 4);
    // Plain checks collected into one assertion: 90,000 expect() calls would cost seconds.
    const violations: string[] = [];
    for (const reply of replies) {
      let decoded: ReturnType<typeof decodeResponse>;
      try {
        decoded = decodeResponse(reply);
      } catch (error) {
        violations.push(`undecodable reply ${reply.toString('hex')}: ${(error as Error).message}`);
        continue;
      }
      const { questions = [], answers = [], authorities = [], additionals = [] } = decoded.packet;
      const problem =
        !(decoded.flags & 0x8000)
          ? 'QR not set'
          : (decoded.rcode === 'FORMERR' || decoded.rcode === 'NOTIMP') &&
              (answers.length + authorities.length > 0 || additionals.some((r) => r.type !== 'OPT') || additionals.length > 1)
            ? 'error reply carries more than the question and OPT' // both came in with the query: never bigger than it
            : ['REFUSED', 'SERVFAIL', 'BADVERS'].includes(decoded.rcode) && (answers.length + authorities.length > 0 || additionals.length > 1)
              ? 'refusal carries records'
              : questions.length > 1
                ? 'more than one question'
                : reply.length > 1232
                  ? 'over the UDP size cap'
                  : undefined;
      if (problem) violations.push(`${problem}: ${reply.toString('hex')}`);
    }
    expect(violations.slice(0, 5)).toEqual([]);
    const repliedBytes = replies.reduce((sum, reply) => sum + reply.length, 0);
    expect(repliedBytes).toBeLessThan(sentBytes * 2);

    await expectServerHealthy();
    expect(captured.errors()).toEqual([]);
    expect(processErrors).toEqual([]);
  });

  it('survives random frames and raw garbage over TCP and still answers correctly', { timeout: 30_000 }, async () => {
    const random = prng(SEED + 1);
    const next = packetGenerator(random);
    for (let round = 0; round < 40; round++) {
      const connection = await TcpDnsConnection.open(server.port);
      if (round % 4 === 0) {
        // Raw bytes with no framing: lengths come out random, often promising more than is sent.
        connection.write(Buffer.from(Array.from({ length: 2000 }, () => Math.floor(random() * 256))));
      } else {
        const frames = Array.from({ length: 50 }, () => frame(next()));
        const stream = Buffer.concat(frames);
        // Split at random places so frames cross writes.
        for (let at = 0; at < stream.length; ) {
          const size = 1 + Math.floor(random() * 300);
          connection.write(stream.subarray(at, at + size));
          at += size;
        }
      }
      connection.write(frame(encodeQuery('web.shop.minilb', 'A', { id: 4321 })));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (round % 4 !== 0) {
        const isProbeAnswer = (reply: Buffer): boolean => reply.readUInt16BE(0) === 4321 && decodeResponse(reply).packet.answers?.length === 2;
        expect(await connection.waitFor((replies) => replies.some(isProbeAnswer))).toBe(true);
        for (const reply of connection.replies) expect(() => decodeResponse(reply)).not.toThrow();
      }
      connection.close();
    }
    await expectServerHealthy();
    expect(captured.errors()).toEqual([]);
    expect(processErrors).toEqual([]);
  });
});
