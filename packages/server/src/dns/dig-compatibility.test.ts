import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { captureLog } from '../../testing/captured-log.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { parseListenAddress } from '../config/host-port.js';

// BIND's dig is the wire-compatibility reference here: what it prints is what operators see.
const run = promisify(execFile);

let server: DnsServer;
beforeAll(async () => {
  const index = new MapNameIndex('minilb')
    .set('web.shop.minilb', { a: ['10.244.1.5', '10.244.2.7'], aaaa: ['fd00:10:244:1::5'] })
    .set('many.shop.minilb', { a: Array.from({ length: 100 }, (_, i) => `10.244.3.${i + 1}`) })
    .set('paperless.sko.ai', { a: ['10.244.1.9'] });
  server = await startDnsServer({ listen: parseListenAddress('127.0.0.1:0'), index, log: captureLog().log, ttl: 5, negativeTtl: 30 });
});
afterAll(() => server.close());

interface DigResult {
  status: string;
  flags: string[];
  counts: Record<string, number>;
  question: string;
  answer: string[];
  authority: string[];
  output: string;
}

async function dig(...args: string[]): Promise<DigResult> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(server.port), '+tries=1', '+time=2', ...args]);
  const header = /status: (\w+)/.exec(stdout);
  const flagsLine = /;; flags: ([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)/.exec(stdout);
  const section = (title: string): string[] => {
    const match = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(stdout);
    return match ? match[1]!.split('\n').filter((line) => line && !line.startsWith(';')) : [];
  };
  const questionMatch = /;; QUESTION SECTION:\n;(.*)/.exec(stdout);
  return {
    status: header?.[1] ?? 'none',
    flags: flagsLine?.[1]?.trim().split(/\s+/) ?? [],
    counts: flagsLine
      ? { answer: Number(flagsLine[3]), authority: Number(flagsLine[4]), additional: Number(flagsLine[5]) }
      : {},
    question: questionMatch?.[1]?.replace(/\s+/g, ' ') ?? '',
    answer: section('ANSWER').map((line) => line.replace(/\s+/g, ' ')),
    authority: section('AUTHORITY').map((line) => line.replace(/\s+/g, ' ')),
    output: stdout,
  };
}

describe('dig against minilb', () => {
  it('gets authoritative answers echoing the 0x20 case of the question', async () => {
    const result = await dig('WeB.sHoP.MiNiLb', 'A');
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.question).toBe('WeB.sHoP.MiNiLb. IN A');
    expect(result.answer.sort()).toEqual(['WeB.sHoP.MiNiLb. 5 IN A 10.244.1.5', 'WeB.sHoP.MiNiLb. 5 IN A 10.244.2.7']);
    // (dig's "recursion requested but not available" is expected: without -upstream there is none.)
    expect(result.output).not.toMatch(/malformed|parser|ID mismatch|trailing garbage/i);
  });

  it('gets the same over TCP', async () => {
    const result = await dig('+tcp', 'web.shop.minilb', 'AAAA');
    expect(result.status).toBe('NOERROR');
    expect(result.answer).toEqual(['web.shop.minilb. 5 IN AAAA fd00:10:244:1::5']);
  });

  it('sees TC at its buffer size and gets every record after retrying over TCP', async () => {
    const truncated = await dig('+ignore', '+bufsize=512', 'many.shop.minilb', 'A');
    expect(truncated.flags).toContain('tc');
    const capped = await dig('+ignore', '+bufsize=4096', 'many.shop.minilb', 'A');
    expect(capped.flags).toContain('tc'); // 100 records exceed the 1232-byte cap
    const withoutEdns = await dig('+ignore', '+noedns', 'many.shop.minilb', 'A');
    expect(withoutEdns.flags).toContain('tc');
    const retried = await dig('+bufsize=512', 'many.shop.minilb', 'A');
    expect(retried.output).toMatch(/Truncated, retrying in TCP mode/);
    expect(retried.flags).not.toContain('tc');
    expect(retried.answer).toHaveLength(100);
    const overTcp = await dig('+tcp', 'many.shop.minilb', 'A');
    expect(overTcp.answer).toHaveLength(100);
  });

  it('gets NXDOMAIN and NODATA with the SOA in authority', async () => {
    const nx = await dig('nope.shop.minilb', 'A');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.flags).toContain('aa');
    expect(nx.authority).toEqual([expect.stringMatching(/^minilb\. 30 IN SOA ns\.minilb\. hostmaster\.minilb\. \d+ 60 10 604800 30$/)]);
    const nodata = await dig('web.shop.minilb', 'TXT');
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.counts.answer).toBe(0);
    expect(nodata.authority).toEqual([expect.stringMatching(/^minilb\. 30 IN SOA /)]);
    const outside = await dig('paperless.sko.ai', 'AAAA');
    expect(outside.status).toBe('NOERROR');
    expect(outside.authority).toEqual([expect.stringMatching(/^paperless\.sko\.ai\. 30 IN SOA ns\.minilb\. hostmaster\.minilb\. /)]);
  });

  it('gets answers without recursion desired (+norec)', async () => {
    const result = await dig('+norec', 'web.shop.minilb', 'A');
    expect(result.status).toBe('NOERROR');
    expect(result.flags).toContain('aa');
    expect(result.flags).not.toContain('rd');
    expect(result.answer).toHaveLength(2);
  });

  it('learns the TCP idle timeout with +keepalive (RFC 7828), on every answer of a kept-open connection, never over UDP', async () => {
    const kept = await dig('+tcp', '+keepalive', '+keepopen', 'web.shop.minilb', 'A', 'web.shop.minilb', 'AAAA');
    expect(kept.output.match(/^; TCP KEEPALIVE: 10\.0 secs$/gm)).toHaveLength(2);
    expect((await dig('+tcp', 'web.shop.minilb', 'A')).output).not.toMatch(/KEEPALIVE/);
    const udp = await dig('+keepalive', 'web.shop.minilb', 'A');
    expect(udp.answer).toHaveLength(2);
    expect(udp.output).not.toMatch(/KEEPALIVE/);
  });

  it('gets BADVERS for EDNS version 1', async () => {
    const result = await dig('+edns=1', '+noednsnegotiation', 'web.shop.minilb', 'A');
    expect(result.status).toBe('BADVERS');
    expect(result.counts.answer).toBe(0);
  });

  it('gets the apex SOA and NS, an RFC 8482 answer to ANY, and an answer to ". NS"', async () => {
    expect((await dig('minilb', 'NS')).answer).toEqual(['minilb. 5 IN NS ns.minilb.']);
    expect((await dig('minilb', 'SOA')).answer).toEqual([expect.stringMatching(/^minilb\. 30 IN SOA ns\.minilb\. hostmaster\.minilb\. /)]);
    expect((await dig('web.shop.minilb', 'ANY')).answer).toEqual(['web.shop.minilb. 5 IN HINFO "RFC8482" ""']);
    const root = await dig('.', 'NS');
    expect(root.status).toBe('NOERROR');
    expect((await dig('example.org', 'A')).status).toBe('REFUSED');
  });
});
