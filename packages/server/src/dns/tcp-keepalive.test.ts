import * as dnsPacket from '@leichtgewicht/dns-packet';
import { describe, expect, it } from 'vitest';
import { withTcpKeepalive } from './tcp-keepalive.js';

const query = (options: Array<{ code: number; data?: Buffer }>) =>
  Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ name: 'web.shop.minilb', type: 'AAAA', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options } as unknown as dnsPacket.Answer],
    }),
  );
const asking = query([{ code: 11 }]);

describe('edns-tcp-keepalive', () => {
  it('appends the idle timeout, in 100 ms units, to our own empty OPT when the query carries the option', () => {
    const reply = Buffer.from(
      dnsPacket.encode({
        type: 'response',
        id: 1,
        questions: [{ name: 'web.shop.minilb', type: 'AAAA', class: 'IN' }],
        answers: [{ type: 'AAAA', name: 'web.shop.minilb', ttl: 5, data: 'fd00::1' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer],
      }),
    );
    const opt = (bytes: Buffer) => dnsPacket.decode(bytes).additionals?.[0] as unknown as { options: Array<{ code: number; timeout?: number }> };
    expect(opt(withTcpKeepalive(asking, reply, 10_000)).options).toEqual([expect.objectContaining({ code: 11, timeout: 100 })]);
    expect(withTcpKeepalive(query([{ code: 10, data: Buffer.alloc(8) }]), reply, 10_000)).toBe(reply);
  });

  it('leaves alone a reply that only ends in bytes that look like an empty OPT', () => {
    // fd00:0:0:29:: : the last 11 bytes of this AAAA record read as root, type 41, ..., RDLENGTH 0.
    const reply = Buffer.from(
      dnsPacket.encode({
        type: 'response',
        id: 1,
        questions: [{ name: 'web.shop.minilb', type: 'AAAA', class: 'IN' }],
        additionals: [{ type: 'AAAA', name: 'web.shop.minilb', ttl: 5, data: 'fd00:0:0:29::' }],
      }),
    );
    expect(reply.subarray(-11, -8)).toEqual(Buffer.from([0, 0, 0x29]));
    expect(withTcpKeepalive(asking, reply, 10_000)).toBe(reply);
    expect(withTcpKeepalive(asking, reply.subarray(0, 20), 10_000).length).toBe(20);
  });
});
