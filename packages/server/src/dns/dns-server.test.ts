import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.js';
import { captureLog } from '../../testing/captured-log.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { encodeQuery, frame, tcpQuery, TcpDnsConnection, udpQuery, decodeResponse } from '../../testing/dns-test-client.js';
import { parseListenAddress, parseUpstreamAddress } from '../config/host-port.js';

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

function demoIndex(): MapNameIndex {
  return new MapNameIndex('minilb')
    .set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7'], aaaa: ['fd00:10:244:1::5'] })
    .set('many.shop.minilb', { a: Array.from({ length: 100 }, (_, i) => `10.244.3.${i + 1}`) });
}

async function start(options: Partial<DnsServerOptions> = {}) {
  const captured = captureLog();
  const server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index: demoIndex(), log: captured.log, ...options });
  running.push(server);
  return { server, captured };
}

const hasIpv6Loopback = Object.values(os.networkInterfaces())
  .flat()
  .some((entry) => entry?.address === '::1');

describe('listening', () => {
  it('answers over UDP and TCP on the same ephemeral port', async () => {
    const { server } = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.udpAddress.port).toBe(server.port);
    expect(server.tcpAddress.port).toBe(server.port);
    const udp = await udpQuery(server.port, 'web.shop.minilb', 'A');
    const tcp = await tcpQuery(server.port, 'web.shop.minilb', 'A');
    expect(udp.packet.answers?.map((r) => r.data).sort()).toEqual(['10.244.1.5', '10.244.2.7']);
    expect(tcp.packet.answers?.map((r) => r.data).sort()).toEqual(['10.244.1.5', '10.244.2.7']);
  });

  it('":port" listens on every address, IPv4 and (when the host has it) IPv6', async () => {
    const { server } = await start({ listen: parseListenAddress(':0') });
    expect((await udpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
    expect((await tcpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
    if (hasIpv6Loopback) {
      expect((await udpQuery(server.port, 'web.shop.minilb', 'AAAA', {}, '::1')).packet.answers?.[0]?.data).toBe('fd00:10:244:1::5');
      expect((await tcpQuery(server.port, 'web.shop.minilb', 'AAAA', {}, '::1')).rcode).toBe('NOERROR');
    }
  });

  it('"[::1]:port" listens on that IPv6 address (or says why it cannot)', async () => {
    if (!hasIpv6Loopback) {
      await expect(startDnsServer({ listen: parseListenAddress('[::1]:0'), index: demoIndex(), log: captureLog().log })).rejects.toThrow(/-listen: cannot listen .*\[::1\]/);
      return;
    }
    const { server } = await start({ listen: parseListenAddress('[::1]:0') });
    expect(server.udpAddress.address).toBe('::1');
    expect((await udpQuery(server.port, 'web.shop.minilb', 'A', {}, '::1')).rcode).toBe('NOERROR');
    expect((await tcpQuery(server.port, 'web.shop.minilb', 'A', {}, '::1')).rcode).toBe('NOERROR');
  });

  it('names the flag when the listen address is bad or taken', async () => {
    const log = captureLog().log;
    // The address is parsed once, from the flag; startDnsServer takes the parsed form.
    expect(() => parseListenAddress('localhost:53')).toThrow(/-listen: "localhost:53"/);
    expect(() => parseListenAddress('127.0.0.1')).toThrow(/-listen/);
    const { server } = await start();
    await expect(startDnsServer({ listen: parseListenAddress(`127.0.0.1:${server.port}`), index: demoIndex(), log })).rejects.toThrow(
      /-listen: cannot listen .* 127\.0\.0\.1:\d+.*another process holds it/,
    );
    expect(() => parseUpstreamAddress('dns.google')).toThrow(/-upstream: "dns.google"/);
  });
});

describe('UDP', () => {
  it('truncates big answers with TC, and TCP returns all of them', async () => {
    const { server } = await start();
    const udp = await udpQuery(server.port, 'many.shop.minilb', 'A');
    expect(udp.flags & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
    expect(udp.bytes.length).toBeLessThanOrEqual(512);
    const tcp = await tcpQuery(server.port, 'many.shop.minilb', 'A');
    expect(tcp.packet.answers).toHaveLength(100);
    expect(tcp.flags & dnsPacket.TRUNCATED_RESPONSE).toBe(0);
  });

  it('drops packets too short to hold a header, and answers FORMERR to a header alone', async () => {
    const { server } = await start();
    const socket = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (reply) => replies.push(reply));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    socket.send(Buffer.from([0xab, 0xcd, 0x01]), server.port, '127.0.0.1');
    socket.send(Buffer.from([0xab, 0xcd, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0]), server.port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.close();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.readUInt16BE(0)).toBe(0xabcd);
    expect(decodeResponse(replies[0]!).rcode).toBe('FORMERR');
    expect(replies[0]!.length).toBe(12);
  });

  it('answers every query of a burst, each with its own ID and the letter case it was asked in', async () => {
    const { server } = await start();
    const socket = dgram.createSocket('udp4');
    const replies = new Map<number, dnsPacket.Packet>();
    const all = new Promise<void>((resolve) =>
      socket.on('message', (reply) => {
        const packet = dnsPacket.decode(reply);
        replies.set(packet.id!, packet);
        if (replies.size === 100) resolve();
      }),
    );
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    // 100 at once (well inside both sockets' default buffers): nearly all go out on the fast
    // path, most without a send callback.
    const spell = (id: number) => 'web.shop.minilb'.replace(/./g, (c, i) => ((id >> i % 9) & 1 ? c.toUpperCase() : c));
    for (let id = 0; id < 100; id++) socket.send(encodeQuery(spell(id), 'A', { id }), server.port, '127.0.0.1');
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 5000))]);
    socket.close();
    expect(replies.size).toBe(100);
    for (const [id, packet] of replies) {
      expect(packet.questions?.[0]?.name).toBe(spell(id));
      expect(packet.answers?.map((r) => r.name)).toEqual([spell(id), spell(id)]);
    }
  });
});

describe('TCP (RFC 7766)', () => {
  it('answers several queries written at once, each by its ID', async () => {
    const { server } = await start();
    const connection = await TcpDnsConnection.open(server.port);
    const ids = [11, 22, 33, 44, 55];
    connection.write(Buffer.concat(ids.map((id) => frame(encodeQuery('web.shop.minilb', 'A', { id })))));
    const replies = await connection.waitForReplies(ids.length);
    connection.close();
    expect(replies.map((reply) => decodeResponse(reply).packet.id).sort((a, b) => a! - b!)).toEqual(ids);
    expect(replies.every((reply) => decodeResponse(reply).packet.answers?.length === 2)).toBe(true);
  });

  it('reassembles queries split across writes, down to single bytes', async () => {
    const { server } = await start();
    const connection = await TcpDnsConnection.open(server.port);
    const stream = Buffer.concat([frame(encodeQuery('web.shop.minilb', 'A', { id: 1 })), frame(encodeQuery('web.shop.minilb', 'AAAA', { id: 2 }))]);
    for (const byte of stream) {
      connection.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const replies = await connection.waitForReplies(2);
    connection.close();
    expect(replies.map((reply) => decodeResponse(reply).packet.id)).toEqual([1, 2]);
  });

  it('keeps answering on a connection after garbage frames', async () => {
    const { server, captured } = await start();
    const connection = await TcpDnsConnection.open(server.port);
    const headerThenJunk = Buffer.concat([Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.alloc(40, 0xff)]);
    connection.write(frame(headerThenJunk));
    connection.write(frame(Buffer.alloc(0)));
    connection.write(frame(Buffer.from('text that reads as an unknown opcode')));
    connection.write(frame(encodeQuery('web.shop.minilb', 'A', { id: 77 })));
    const replies = await connection.waitForReplies(3);
    connection.close();
    expect(replies.map((reply) => decodeResponse(reply).rcode)).toEqual(['FORMERR', 'NOTIMP', 'NOERROR']);
    expect(decodeResponse(replies[0]!).packet.id).toBe(0x1234);
    expect(decodeResponse(replies[2]!).packet.id).toBe(77);
    expect(captured.errors()).toEqual([]);
  });

  it('answers a client that half-closes after its query', async () => {
    const { server } = await start();
    const connection = await TcpDnsConnection.open(server.port);
    connection.socket.end(frame(encodeQuery('web.shop.minilb', 'A', { id: 5 })));
    const [reply] = await connection.waitForReplies(1);
    expect(decodeResponse(reply!).packet.id).toBe(5);
    expect(await connection.waitForClose()).toBe(true);
  });

  it('closes idle connections after the idle timeout', async () => {
    const { server } = await start({ tcpIdleTimeoutMs: 200 });
    const connection = await TcpDnsConnection.open(server.port);
    connection.write(frame(encodeQuery('web.shop.minilb', 'A')));
    await connection.waitForReplies(1);
    const openedAt = Date.now();
    expect(await connection.waitForClose(2000)).toBe(true);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(150);
  });

  it('refuses connections beyond the cap when none it holds is idle, and serves the ones it holds', async () => {
    const { server } = await start({ maxTcpConnections: 3, tcpFrameTimeoutMs: 5000 });
    const held = await Promise.all([1, 2, 3].map(() => TcpDnsConnection.open(server.port)));
    // Each must be accepted before the next connection is counted against the cap.
    for (const connection of held) {
      connection.write(frame(encodeQuery('web.shop.minilb', 'A')));
      expect(await connection.waitForReplies(1)).toHaveLength(1);
      // Half a message: busy, so not a connection the cap may close (RFC 7766 6.2.3 closes idle ones).
      connection.write(Buffer.from([0x00]));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = await TcpDnsConnection.open(server.port);
    extra.write(frame(encodeQuery('web.shop.minilb', 'A')));
    expect(await extra.waitForClose(2000)).toBe(true);
    expect(extra.replies).toHaveLength(0);
    held[0]!.close();
    await held[0]!.waitForClose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await tcpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
    for (const connection of held) connection.close();
  });

  it('at the global cap closes the oldest idle connection to admit a new one (RFC 7766 6.2.3)', async () => {
    const { server } = await start({ maxTcpConnections: 3 });
    const held: TcpDnsConnection[] = [];
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const connection = await TcpDnsConnection.open(server.port, '127.0.0.1', address);
      connection.write(frame(encodeQuery('web.shop.minilb', 'A')));
      expect(await connection.waitForReplies(1)).toHaveLength(1);
      held.push(connection);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The third is still busy half-way through a message; the first is the oldest idle one.
    held[2]!.write(Buffer.from([0x00]));
    const fresh = await tcpQuery(server.port, 'web.shop.minilb', 'A');
    expect(fresh.rcode).toBe('NOERROR');
    expect(await held[0]!.waitForClose(2000)).toBe(true);
    expect(held[1]!.closed).toBe(false);
    expect(held[2]!.closed).toBe(false);
    for (const connection of held) connection.close();
  });

  it('caps connections per client address, closing that client\'s own oldest idle one', async () => {
    const { server } = await start({ maxTcpConnections: 100, maxTcpConnectionsPerClient: 2 });
    const mine = await Promise.all([1, 2, 3].map(() => TcpDnsConnection.open(server.port, '127.0.0.1', '127.0.0.5')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mine.filter((c) => c.closed)).toHaveLength(1);
    // Another address is not affected by that client's cap.
    expect((await tcpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
    for (const connection of mine) connection.close();
  });

  it('destroys a connection whose message does not complete in time, however the bytes trickle', async () => {
    const { server } = await start({ tcpFrameTimeoutMs: 300, tcpIdleTimeoutMs: 5000 });
    const connection = await TcpDnsConnection.open(server.port);
    const query = frame(encodeQuery('web.shop.minilb', 'A'));
    const startedAt = Date.now();
    for (let i = 0; i < query.length - 1 && !connection.closed; i++) {
      connection.write(query.subarray(i, i + 1));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(await connection.waitForClose(2000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(connection.replies).toHaveLength(0);
  });

  it('destroys an idle connection whose peer ignores our FIN and keeps trickling bytes', async () => {
    const { server } = await start({ tcpIdleTimeoutMs: 200, tcpFrameTimeoutMs: 60_000 });
    // allowHalfOpen: this client keeps its side open after our FIN and keeps sending, as an
    // attacker would; each byte used to restart the idle timer.
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    let gotFin = false;
    let cut = false;
    socket.on('end', () => (gotFin = true));
    socket.on('error', () => (cut = true));
    socket.on('close', () => (cut = true));
    await new Promise<void>((resolve) => socket.once('end', () => resolve()));
    expect(gotFin).toBe(true);
    const finAt = Date.now();
    while (!cut && Date.now() - finAt < 4000) {
      socket.write(Buffer.from([0x00]));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    socket.destroy();
    // Destroyed: a byte meets a reset within the 1 s close timeout (and some slack).
    expect(cut).toBe(true);
    expect(Date.now() - finAt).toBeLessThan(2500);
  });

  it('stops reading from a client that never reads its answers, destroys it, and still serves others', async () => {
    const { server } = await start({ tcpIdleTimeoutMs: 1000 });
    const greedy = await TcpDnsConnection.open(server.port);
    greedy.socket.pause(); // never reads its answers
    const query = frame(encodeQuery('many.shop.minilb', 'A'));
    const burst = Buffer.concat(Array.from({ length: 2000 }, () => query));
    // Once the server stops reading, the kernel buffers fill and this client's queue backs up.
    let backedUp = false;
    for (let i = 0; i < 400 && !greedy.closed && !backedUp; i++) {
      greedy.socket.write(burst);
      backedUp = greedy.socket.writableLength > 4 * burst.length;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(backedUp).toBe(true);
    expect((await tcpQuery(server.port, 'web.shop.minilb', 'A')).rcode).toBe('NOERROR');
    // Not reading for the idle timeout gets the connection destroyed.
    expect(await greedy.waitForClose(4000)).toBe(true);
  });
});

describe('shutdown', () => {
  it('stops listening on close and lets a relayed answer in flight finish', async () => {
    // An upstream that answers after 300 ms, so the relay is still in flight when close() starts.
    const slowUpstream = dgram.createSocket('udp4');
    slowUpstream.on('message', (query, from) => {
      const reply = Buffer.from(query);
      reply[2]! |= 0x80;
      setTimeout(() => slowUpstream.send(reply, from.port, from.address), 300);
    });
    await new Promise<void>((resolve) => slowUpstream.bind(0, '127.0.0.1', () => resolve()));
    const upstreamPort = slowUpstream.address().port;
    const captured = captureLog();
    const server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index: demoIndex(), log: captured.log, upstream: [parseUpstreamAddress(`127.0.0.1:${upstreamPort}`)] });

    const viaTcp = await TcpDnsConnection.open(server.port);
    viaTcp.write(frame(encodeQuery('example.org', 'A', { id: 99 })));
    const viaUdp = udpQuery(server.port, 'example.org', 'A', { id: 98 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = server.close();
    const [tcpReply] = await viaTcp.waitForReplies(1);
    expect(decodeResponse(tcpReply!).packet.id).toBe(99);
    expect((await viaUdp).packet.id).toBe(98);
    await closing;
    await expect(TcpDnsConnection.open(server.port)).rejects.toThrow(/ECONNREFUSED/);
    slowUpstream.close();
    expect(captured.errors()).toEqual([]);
  });
});
