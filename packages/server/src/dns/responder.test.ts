import { describe, expect, it } from 'vitest';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { Responder, type Transport } from './responder.js';
import { parseQuery } from './query-parser.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { decodeResponse, encodeQuery, type DecodedResponse, type QueryOptions } from '../../testing/dns-test-client.js';

function setup(options: { relay?: boolean; negativeTtl?: number; nameServerAddresses?: string[] } = {}) {
  const index = new MapNameIndex('minilb')
    .set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7'], aaaa: ['fd00:10:244:1::5'] })
    .set('many.shop.minilb', { a: Array.from({ length: 60 }, (_, i) => `10.244.3.${i + 1}`) })
    .set('alias.shop.minilb', { cname: 'elsewhere.example.com' })
    .set('_http._tcp.web.shop.minilb', {
      srv: [
        { priority: 0, weight: 50, port: 8080, target: '10-244-1-5.web.shop.minilb' },
        { priority: 0, weight: 50, port: 8080, target: '10-244-2-7.web.shop.minilb' },
      ],
    })
    .set('10-244-1-5.web.shop.minilb', { a: ['10.244.1.5'] })
    .set('10-244-2-7.web.shop.minilb', { a: ['10.244.2.7'] })
    .set('paperless.sko.ai', { a: ['10.244.1.9'] });
  const responder = new Responder({
    index,
    ttl: 5,
    negativeTtl: options.negativeTtl ?? 5,
    relayAvailable: options.relay ?? false,
    cacheEntries: 1000,
    nameServerAddresses: options.nameServerAddresses,
  });
  const ask = (name: string, type: string, query: QueryOptions = {}, transport: Transport = 'udp'): DecodedResponse => {
    const resolution = responder.respond(encodeQuery(name, type, query), transport);
    if (resolution.kind !== 'reply') throw new Error(`expected a reply, got ${resolution.kind}`);
    return decodeResponse(resolution.bytes);
  };
  return { index, responder, ask };
}

const aa = dnsPacket.AUTHORITATIVE_ANSWER;
const tc = dnsPacket.TRUNCATED_RESPONSE;

describe('answers from the index', () => {
  it('answers A and AAAA authoritatively with the configured TTL', () => {
    const { ask } = setup();
    const a = ask('web.shop.minilb', 'A');
    expect(a.rcode).toBe('NOERROR');
    expect(a.flags & aa).toBeTruthy();
    expect(a.packet.answers?.map((r) => r.data).sort()).toEqual(['10.244.1.5', '10.244.2.7']);
    expect(a.packet.answers?.every((r) => r.ttl === 5 && r.name === 'web.shop.minilb')).toBe(true);
    expect(ask('web.shop.minilb', 'AAAA').packet.answers?.map((r) => r.data)).toEqual(['fd00:10:244:1::5']);
  });

  it('answers a CNAME for any type at a CNAME name', () => {
    const { ask } = setup();
    for (const type of ['A', 'AAAA', 'TXT', 'CNAME', 'ANY']) {
      const reply = ask('alias.shop.minilb', type);
      expect(reply.packet.answers).toEqual([expect.objectContaining({ type: 'CNAME', data: 'elsewhere.example.com' })]);
    }
  });

  it('answers SRV with the targets’ addresses as additional records', () => {
    const { ask } = setup();
    const reply = ask('_http._tcp.web.shop.minilb', 'SRV');
    expect(reply.packet.answers?.map((r) => (r.data as dnsPacket.SrvData).target).sort()).toEqual([
      '10-244-1-5.web.shop.minilb',
      '10-244-2-7.web.shop.minilb',
    ]);
    const glue = reply.packet.additionals?.filter((r) => r.type === 'A').map((r) => `${r.name} ${r.data as string}`);
    expect(glue?.sort()).toEqual(['10-244-1-5.web.shop.minilb 10.244.1.5', '10-244-2-7.web.shop.minilb 10.244.2.7']);
  });

  it('echoes the question with the client’s letter case, in the answers too', () => {
    const { ask } = setup();
    ask('web.shop.minilb', 'A'); // fill the cache with the lower-case form first
    const reply = ask('wEb.ShOp.MiNiLb', 'A');
    expect(reply.packet.questions?.[0]?.name).toBe('wEb.ShOp.MiNiLb');
    expect(reply.packet.answers?.[0]?.name).toBe('wEb.ShOp.MiNiLb');
  });

  it('copies the query ID and RD bit', () => {
    const { ask } = setup();
    const withRd = ask('web.shop.minilb', 'A', { id: 4242 });
    expect(withRd.packet.id).toBe(4242);
    expect(withRd.flags & dnsPacket.RECURSION_DESIRED).toBeTruthy();
    const withoutRd = ask('web.shop.minilb', 'A', { id: 7, recursionDesired: false });
    expect(withoutRd.packet.id).toBe(7);
    expect(withoutRd.flags & dnsPacket.RECURSION_DESIRED).toBe(0);
  });

  it('shuffles the answer order across responses', () => {
    const { ask } = setup();
    const orders = new Set<string>();
    for (let i = 0; i < 50; i++) orders.add(ask('web.shop.minilb', 'A').packet.answers!.map((r) => r.data).join(','));
    expect(orders).toEqual(new Set(['10.244.1.5,10.244.2.7', '10.244.2.7,10.244.1.5']));
  });

  it('leaves out a record that cannot be encoded instead of inventing an address, and reports it', () => {
    const index = new MapNameIndex('minilb').set('odd.minilb', { a: ['10.244.1.5', 'not-an-ip', '1.2.3'], aaaa: ['fe80::1%eth0'] });
    const reports: string[] = [];
    const responder = new Responder({
      index,
      ttl: 5,
      negativeTtl: 5,
      relayAvailable: false,
      cacheEntries: 10,
      reportUnwritable: (name, detail) => reports.push(`${name}: ${detail}`),
    });
    const a = responder.respond(encodeQuery('odd.minilb', 'A'), 'udp');
    expect(a.kind === 'reply' && decodeResponse(a.bytes).packet.answers?.map((r) => r.data)).toEqual(['10.244.1.5']);
    const aaaa = responder.respond(encodeQuery('odd.minilb', 'AAAA'), 'udp');
    expect(aaaa.kind === 'reply' && decodeResponse(aaaa.bytes).packet.answers).toEqual([]);
    expect(reports).toEqual([
      'odd.minilb: "not-an-ip" is not an IPv4 address',
      'odd.minilb: "1.2.3" is not an IPv4 address',
      'odd.minilb: "fe80::1%eth0" is not an IPv6 address',
    ]);
  });

  it('shows new records as soon as the index changes', () => {
    const { ask, index } = setup();
    expect(ask('web.shop.minilb', 'A').packet.answers).toHaveLength(2);
    index.set('web.shop.minilb', { a: ['10.244.9.9'] });
    expect(ask('web.shop.minilb', 'A').packet.answers?.map((r) => r.data)).toEqual(['10.244.9.9']);
  });
});

describe('negative answers', () => {
  it('answers NXDOMAIN with the zone SOA in authority, TTL the negative TTL', () => {
    const { ask } = setup({ negativeTtl: 30 });
    const reply = ask('nope.shop.minilb', 'A');
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.flags & aa).toBeTruthy();
    expect(reply.packet.answers).toEqual([]);
    const soa = reply.packet.authorities?.[0];
    expect(soa).toMatchObject({ type: 'SOA', name: 'minilb', ttl: 30 });
    expect(soa?.data).toMatchObject({ mname: 'ns.minilb', rname: 'hostmaster.minilb', minimum: 30 });
  });

  it('answers NODATA for a type the name lacks, and for an empty non-terminal', () => {
    const { ask } = setup();
    for (const [name, type] of [
      ['web.shop.minilb', 'TXT'],
      ['many.shop.minilb', 'AAAA'],
      ['shop.minilb', 'A'],
    ] as const) {
      const reply = ask(name, type);
      expect(reply.rcode).toBe('NOERROR');
      expect(reply.packet.answers).toEqual([]);
      expect(reply.packet.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'minilb' });
    }
  });

  it('answers NODATA for a hostname outside the zone with an SOA owned by that name', () => {
    const { ask } = setup();
    const reply = ask('Paperless.sko.ai', 'AAAA');
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.flags & aa).toBeTruthy();
    expect(reply.packet.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'Paperless.sko.ai' });
  });

  it('answers NXDOMAIN with the apex’s SOA below a served hostname (RFC 8020), even with an upstream', () => {
    for (const relay of [false, true]) {
      const index = new MapNameIndex('minilb').set('mqtt.sko.ai', { a: ['192.0.2.20'] });
      index.lookup = (name) =>
        name === 'mqtt.sko.ai' ? { kind: 'found', answers: { a: ['192.0.2.20'], aaaa: [], cname: undefined, srv: [] } } : { kind: 'nxdomain', apex: 'mqtt.sko.ai' };
      const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: relay, cacheEntries: 10 });
      const reply = responder.respond(encodeQuery('X.mqtt.sko.ai', 'A'), 'udp');
      if (reply.kind !== 'reply') throw new Error(`expected a reply, got ${reply.kind}`);
      const decoded = decodeResponse(reply.bytes);
      expect(decoded.rcode).toBe('NXDOMAIN');
      expect(decoded.flags & aa).toBeTruthy();
      expect(decoded.packet.authorities).toEqual([expect.objectContaining({ type: 'SOA', name: 'mqtt.sko.ai' })]);
    }
  });

  it('serves an out-of-zone hostname as its own apex: SOA and NS answer there', () => {
    const { ask } = setup();
    expect(ask('paperless.sko.ai', 'SOA').packet.answers?.[0]).toMatchObject({ type: 'SOA', name: 'paperless.sko.ai' });
    expect(ask('paperless.sko.ai', 'NS').packet.answers?.[0]).toMatchObject({ type: 'NS', data: 'ns.minilb' });
  });

  it('changes the SOA serial when the records change', () => {
    const { ask, index } = setup();
    const serial = () => (ask('minilb', 'SOA').packet.answers?.[0]?.data as dnsPacket.SoaData).serial;
    const before = serial();
    index.set('new.shop.minilb', { a: ['10.244.5.5'] });
    expect(serial()).not.toBe(before);
  });
});

describe('the zone apex', () => {
  it('has an SOA and an NS, and ns.<zone> exists without addresses', () => {
    const { ask } = setup();
    expect(ask('minilb', 'SOA').packet.answers?.[0]).toMatchObject({ type: 'SOA', name: 'minilb' });
    expect(ask('minilb', 'NS').packet.answers).toEqual([expect.objectContaining({ type: 'NS', data: 'ns.minilb' })]);
    const ns = ask('ns.minilb', 'A');
    expect(ns.rcode).toBe('NOERROR');
    expect(ns.packet.authorities?.[0]?.type).toBe('SOA');
  });

  it('answers the NS target (also the SOA MNAME) with the -ns-address addresses', () => {
    const { ask } = setup({ nameServerAddresses: ['192.0.2.31', '2001:db8::31', '192.0.2.32'] });
    const mname = (ask('minilb', 'SOA').packet.answers?.[0]?.data as dnsPacket.SoaData).mname;
    expect(mname).toBe('ns.minilb');
    const a = ask('NS.minilb', 'A');
    expect(a.rcode).toBe('NOERROR');
    expect(a.flags & aa).toBeTruthy();
    expect(a.packet.answers?.map((r) => r.data).sort()).toEqual(['192.0.2.31', '192.0.2.32']);
    expect(ask('ns.minilb', 'AAAA').packet.answers?.map((r) => r.data)).toEqual(['2001:db8::31']);
    // The zone's NS answer carries them as glue, so priming takes one query.
    expect(ask('minilb', 'NS').packet.additionals?.map((r) => r.data).sort()).toEqual(['192.0.2.31', '192.0.2.32', '2001:db8::31']);
    // The NS of an out-of-zone apex is the same name, so it resolves there too.
    expect(ask('paperless.sko.ai', 'NS').packet.answers?.[0]?.data).toBe('ns.minilb');
  });
});

describe('the response cache', () => {
  it('stays within its bound under a flood of random names and keeps answering right', () => {
    const index = new MapNameIndex('minilb').set('web.shop.minilb', { a: ['10.244.1.5'] });
    const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: false, cacheEntries: 100 });
    for (let i = 0; i < 1000; i++) responder.respond(encodeQuery(`random-${i}.minilb`, 'A'), 'udp');
    // The cache is the responder's own; its size is read here only, so the bound is checked from inside.
    expect((responder as unknown as { cache: { size: number } }).cache.size).toBe(100);
    const reply = responder.respond(encodeQuery('web.shop.minilb', 'A'), 'udp');
    expect(reply.kind === 'reply' && decodeResponse(reply.bytes).packet.answers?.[0]?.data).toBe('10.244.1.5');
  });

  it('shuffles SRV records of different sizes into well-formed packets', () => {
    const index = new MapNameIndex('minilb').set('_dns._udp.x.minilb', {
      srv: [
        { priority: 0, weight: 1, port: 53, target: 'a.x.minilb' },
        { priority: 0, weight: 1, port: 53, target: 'longer-target-name.x.minilb' },
        { priority: 0, weight: 1, port: 53, target: 'mid-size.x.minilb' },
      ],
    });
    const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: false, cacheEntries: 100 });
    const orders = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const reply = responder.respond(encodeQuery('_dns._udp.x.minilb', 'SRV'), 'udp');
      if (reply.kind !== 'reply') throw new Error('no reply');
      const targets = decodeResponse(reply.bytes).packet.answers!.map((r) => (r.data as dnsPacket.SrvData).target);
      expect([...targets].sort()).toEqual(['a.x.minilb', 'longer-target-name.x.minilb', 'mid-size.x.minilb']);
      orders.add(targets.join(' '));
    }
    expect(orders.size).toBe(6);
  });

  it('points SRV glue owners at the SRV targets, and keeps them right across shuffles', () => {
    const index = new MapNameIndex('minilb');
    const targets = Array.from({ length: 12 }, (_, i) => `10-244-1-${i + 1}.web.shop.minilb`);
    index.set('_http._tcp.web.shop.minilb', { srv: targets.map((target) => ({ priority: 0, weight: 1, port: 8080, target })) });
    targets.forEach((target, i) => index.set(target, { a: [`10.244.1.${i + 1}`], aaaa: [`fd00::${i + 1}`] }));
    const responder = new Responder({ index, ttl: 5, negativeTtl: 5, relayAvailable: false, cacheEntries: 100 });
    const orders = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const reply = responder.respond(encodeQuery('_http._tcp.web.shop.minilb', 'SRV'), 'tcp');
      if (reply.kind !== 'reply') throw new Error('no reply');
      const packet = decodeResponse(reply.bytes).packet;
      orders.add(packet.answers!.map((r) => (r.data as dnsPacket.SrvData).target).join(' '));
      const glue = packet.additionals!.filter((r) => r.type === 'A' || r.type === 'AAAA');
      expect(glue).toHaveLength(24);
      for (const record of glue) {
        const n = targets.indexOf(record.name) + 1;
        expect(n, record.name).toBeGreaterThan(0);
        expect(record.data).toBe(record.type === 'A' ? `10.244.1.${n}` : `fd00::${n}`);
      }
    }
    expect(orders.size).toBeGreaterThan(50);
    // Each glue record is a 2-byte pointer, type, class, TTL, length and the address: A 16
    // bytes, AAAA 28, the most compact encoding there is (Knot's).
    const reply = responder.respond(encodeQuery('_http._tcp.web.shop.minilb', 'SRV'), 'tcp');
    if (reply.kind !== 'reply') throw new Error('no reply');
    const question = 12 + '_http._tcp.web.shop.minilb'.length + 2 + 4;
    const srvRecords = targets.reduce((sum, t) => sum + 2 + 10 + 6 + t.length + 2, 0);
    expect(reply.bytes.length).toBe(question + srvRecords + 12 * 16 + 12 * 28);
  });

  it('never lets a label holding a dot stand in for the dotted name', () => {
    const { responder } = setup();
    // One label "web.shop" then "minilb": on the wire a different name from web.shop.minilb.
    const query = Buffer.concat([
      Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([8]),
      Buffer.from('web.shop'),
      Buffer.from([6]),
      Buffer.from('minilb'),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const dotted = responder.respond(query, 'udp');
    expect(dotted.kind === 'reply' && decodeResponse(dotted.bytes).rcode).toBe('NXDOMAIN');
  });

  // Issue 11 finding 6: these two questions once shared a cache key, and whichever came second
  // got the first one's cached reply: a malformed message, 3 bytes off.
  it('never shares an entry between a label holding a dot and a name whose first label starts with NUL', () => {
    const header = Buffer.from([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const typeAndClass = Buffer.from([0, 1, 0, 1]);
    // Wire labels ["x.minilb"] and ["\0\x08x", "minilb\0"].
    const dottedLabel = Buffer.concat([Buffer.from([8]), Buffer.from('x.minilb'), Buffer.from([0])]);
    const nulFirst = Buffer.concat([Buffer.from([3, 0, 8]), Buffer.from('x'), Buffer.from([7]), Buffer.from('minilb'), Buffer.from([0, 0])]);
    const bytesFrom = (responder: Responder, name: Buffer): Buffer => {
      const reply = responder.respond(Buffer.concat([header, name, typeAndClass]), 'udp');
      if (reply.kind !== 'reply') throw new Error(`expected a reply, got ${reply.kind}`);
      return reply.bytes;
    };
    for (const [first, second] of [
      [dottedLabel, nulFirst],
      [nulFirst, dottedLabel],
    ] as const) {
      const shared = setup().responder;
      bytesFrom(shared, first);
      const reply = bytesFrom(shared, second);
      expect(reply.subarray(12, 12 + second.length + 4)).toEqual(Buffer.concat([second, typeAndClass]));
      // Exactly the reply a responder with an empty cache writes.
      expect(reply).toEqual(bytesFrom(setup().responder, second));
    }
  });
});

describe('names the index does not know', () => {
  it('refuses them without an upstream, and relays them with one', () => {
    expect(setup().ask('example.org', 'A').rcode).toBe('REFUSED');
    const { responder } = setup({ relay: true });
    expect(responder.respond(encodeQuery('example.org', 'A'), 'udp').kind).toBe('relay');
  });

  it('always answers ". NS" itself', () => {
    for (const relay of [false, true]) {
      const reply = setup({ relay }).ask('.', 'NS');
      expect(reply.rcode).toBe('NOERROR');
    }
  });
});

describe('size limits and EDNS', () => {
  it('truncates to 512 bytes without EDNS and sets TC; TCP gets every record', () => {
    const { ask } = setup();
    const udp = ask('many.shop.minilb', 'A');
    expect(udp.bytes.length).toBeLessThanOrEqual(512);
    expect(udp.flags & tc).toBeTruthy();
    const tcp = ask('many.shop.minilb', 'A', {}, 'tcp');
    expect(tcp.flags & tc).toBe(0);
    expect(tcp.packet.answers).toHaveLength(60);
  });

  it('uses the client’s EDNS size, capped at 1232 and never below 512, and returns an OPT', () => {
    const { ask } = setup();
    const big = ask('many.shop.minilb', 'A', { edns: { udpPayloadSize: 4096 } });
    expect(big.flags & tc).toBe(0); // 60 A records fit 1232 with compression
    expect(big.packet.additionals?.find((r) => r.type === 'OPT')).toMatchObject({ udpPayloadSize: 1232 });
    const tiny = ask('many.shop.minilb', 'A', { edns: { udpPayloadSize: 100 } });
    expect(tiny.bytes.length).toBeGreaterThan(400);
    expect(tiny.bytes.length).toBeLessThanOrEqual(512);
    expect(tiny.flags & tc).toBeTruthy();
  });

  it('answers EDNS version 1 with BADVERS', () => {
    const reply = setup().ask('web.shop.minilb', 'A', { edns: { version: 1 } });
    expect(reply.rcode).toBe('BADVERS');
    expect(reply.packet.answers).toEqual([]);
    expect(reply.packet.additionals?.find((r) => r.type === 'OPT')).toMatchObject({ ednsVersion: 0 });
  });
});

describe('error replies (RFC 6891 section 7)', () => {
  const optOf = (bytes: Buffer) => decodeResponse(bytes).packet.additionals?.find((r) => r.type === 'OPT');

  it('carry an OPT and the question in NOTIMP when the query had EDNS', () => {
    const { responder } = setup();
    const notify = encodeQuery('minilb', 'SOA', { edns: { udpPayloadSize: 1232, dnssecOk: true } });
    notify[2] = (notify[2]! & 0x87) | (4 << 3); // opcode NOTIFY
    const reply = responder.respond(notify, 'udp');
    if (reply.kind !== 'reply') throw new Error('no reply');
    const decoded = decodeResponse(reply.bytes);
    expect(decoded.rcode).toBe('NOTIMP');
    expect(decoded.packet.questions).toEqual([expect.objectContaining({ name: 'minilb', type: 'SOA' })]);
    expect(optOf(reply.bytes)).toMatchObject({ udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK });
    expect(reply.bytes.length).toBeLessThanOrEqual(notify.length);
  });

  it('carry an OPT in FORMERR when the OPT could be read, with no question when there was not one', () => {
    const { responder } = setup();
    const two = Buffer.from(
      dnsPacket.encode({
        type: 'query',
        id: 9,
        questions: [{ name: 'a.minilb', type: 'A' }, { name: 'b.minilb', type: 'A' }],
        additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as unknown as dnsPacket.Answer],
      }),
    );
    const reply = responder.respond(two, 'udp');
    if (reply.kind !== 'reply') throw new Error('no reply');
    expect(decodeResponse(reply.bytes).rcode).toBe('FORMERR');
    expect(decodeResponse(reply.bytes).packet.questions).toEqual([]);
    expect(optOf(reply.bytes)).toMatchObject({ udpPayloadSize: 1232 });

    // qtype OPT in the question: FORMERR, the question echoed, the OPT kept.
    const optQuestion = encodeQuery('web.shop.minilb', 'OPT', { edns: {} });
    const formerr = responder.respond(optQuestion, 'udp');
    if (formerr.kind !== 'reply') throw new Error('no reply');
    expect(decodeResponse(formerr.bytes).rcode).toBe('FORMERR');
    expect(decodeResponse(formerr.bytes).packet.questions).toHaveLength(1);
    expect(optOf(formerr.bytes)).toBeDefined();
  });

  it('carry no OPT when the OPT itself was the problem', () => {
    const { responder } = setup();
    const opt = { type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer;
    const twoOpts = Buffer.from(
      dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'web.shop.minilb', type: 'A' }], additionals: [opt, opt] }),
    );
    const reply = responder.respond(twoOpts, 'udp');
    if (reply.kind !== 'reply') throw new Error('no reply');
    expect(decodeResponse(reply.bytes).rcode).toBe('FORMERR');
    expect(optOf(reply.bytes)).toBeUndefined();
  });
});

describe('odd queries', () => {
  it('answers ANY with one synthesized HINFO (RFC 8482)', () => {
    const reply = setup().ask('web.shop.minilb', 'ANY');
    expect(reply.packet.answers).toEqual([expect.objectContaining({ type: 'HINFO', data: { cpu: 'RFC8482', os: '' } })]);
  });

  it('refuses the CHAOS class and zone transfers', () => {
    const { ask } = setup();
    expect(ask('version.bind', 'TXT', { qclass: 'CH' }).rcode).toBe('REFUSED');
    expect(ask('minilb', 'AXFR').rcode).toBe('REFUSED');
  });

  it('answers FORMERR (header only) to two questions, NOTIMP to other opcodes, nothing to responses', () => {
    const { responder } = setup();
    const two = Buffer.from(
      dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'a.minilb', type: 'A' }, { name: 'b.minilb', type: 'A' }] }),
    );
    const formerr = responder.respond(two, 'udp');
    expect(formerr.kind === 'reply' && decodeResponse(formerr.bytes)).toMatchObject({ rcode: 'FORMERR', bytes: expect.any(Buffer) });
    expect(formerr.kind === 'reply' && formerr.bytes.length).toBe(12);

    const notify = encodeQuery('minilb', 'SOA');
    notify[2] = (notify[2]! & 0x87) | (4 << 3); // opcode NOTIFY
    const notimp = responder.respond(notify, 'udp');
    expect(notimp.kind === 'reply' && decodeResponse(notimp.bytes).rcode).toBe('NOTIMP');

    const response = encodeQuery('web.shop.minilb', 'A');
    response[2]! |= 0x80;
    expect(responder.respond(response, 'udp').kind).toBe('drop');
    expect(responder.respond(Buffer.from([1, 2, 3]), 'udp').kind).toBe('drop');
  });
});

describe('the truncated, empty answer (rate-limit slips, relayed answers that do not fit)', () => {
  it('is header, the exact question and an OPT echoing DO, with TC and no records: never bigger than the query', () => {
    const { responder } = setup({ relay: true });
    for (const options of [{ id: 7 }, { id: 8, recursionDesired: false, edns: { udpPayloadSize: 4096, dnssecOk: true } }]) {
      const packet = encodeQuery('WeB.shop.minilb', 'A', options);
      const parsed = parseQuery(packet);
      if (parsed.kind !== 'query') throw new Error('query did not parse');
      const bytes = responder.truncated(parsed.query, 2);
      const reply = decodeResponse(bytes);
      expect(bytes.length).toBe(packet.length);
      expect(reply.packet.id).toBe(options.id);
      expect(reply.rcode).toBe('SERVFAIL');
      expect(reply.flags & (tc | dnsPacket.RECURSION_AVAILABLE)).toBe(tc | dnsPacket.RECURSION_AVAILABLE);
      expect(reply.flags & aa).toBe(0);
      expect(reply.flags & dnsPacket.RECURSION_DESIRED).toBe(options.recursionDesired === false ? 0 : dnsPacket.RECURSION_DESIRED);
      expect(reply.packet.questions).toEqual([{ name: 'WeB.shop.minilb', type: 'A', class: 'IN' }]);
      expect([reply.packet.answers, reply.packet.authorities]).toEqual([[], []]);
      const opt = reply.packet.additionals?.map((r) => r as unknown as { type: string; udpPayloadSize: number; flags: number });
      if (options.edns) expect(opt).toEqual([expect.objectContaining({ type: 'OPT', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK })]);
      else expect(opt).toEqual([]);
      // The fast path builds the same bytes from the packet of a cached question.
      responder.respond(packet, 'udp');
      const hit = responder.cacheHit(packet, 'udp');
      expect(hit).toBeDefined();
      expect(responder.truncatedHit(hit!, packet)).toEqual(responder.truncated(parsed.query));
      const withoutRa = responder.truncatedHit(hit!, packet, false);
      expect(withoutRa.readUInt16BE(2) & dnsPacket.RECURSION_AVAILABLE).toBe(0);
    }
  });
});
