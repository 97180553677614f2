import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../metrics.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { addressFamily } from './query-metrics.js';
import { captureLog } from '../../testing/captured-log.js';
import { EVERY_RCODE, queryEveryRcode } from '../../testing/every-rcode.js';
import { MapNameIndex } from '../../testing/map-name-index.js';
import { parseListenAddress, parseUpstreamAddress } from '../config/host-port.js';

// One sample line of the scrape: `name{labels} value`, labels as written.
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

let server: DnsServer;
let silent: dgram.Socket;
let scrape: string;
beforeAll(async () => {
  silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
  const index = new MapNameIndex('minilb').set('web.shop.minilb', { a: ['10.244.1.5'], aaaa: ['fd00:10:244:1::5'] });
  server = await startDnsServer({
    listen: parseListenAddress('127.0.0.1:0'),
    index,
    log: captureLog('warn').log,
    upstream: [parseUpstreamAddress(`127.0.0.1:${silent.address().port}`)],
    upstreamTimeoutMs: 200,
  });
  expect(await queryEveryRcode(server.port, 'web.shop.minilb', 'minilb')).toEqual(['NOERROR', 'NOERROR', 'NXDOMAIN', 'REFUSED', 'FORMERR', 'NOTIMP', 'BADVERS', 'SERVFAIL']);
  scrape = await registry.metrics();
});
afterAll(async () => {
  await server?.close();
  silent?.close();
});

describe('DNS metrics in the shape CoreDNS dashboards read', () => {
  it('counts requests by protocol, address family and query type', () => {
    expect(sample(scrape, 'minilb_dns_requests_total', 'proto="udp",family="1",type="A"')).toBe(4); // NOERROR, NXDOMAIN, BADVERS, SERVFAIL
    expect(sample(scrape, 'minilb_dns_requests_total', 'proto="tcp",family="1",type="AAAA"')).toBe(1);
    expect(sample(scrape, 'minilb_dns_requests_total', 'proto="udp",family="1",type="TXT"')).toBe(1);
    expect(sample(scrape, 'minilb_dns_requests_total', 'proto="udp",family="1",type="none"')).toBe(2); // FORMERR, NOTIMP: no question read
  });

  it('counts responses by rcode, every rcode minilb sends', () => {
    for (const rcode of EVERY_RCODE) expect(sample(scrape, 'minilb_dns_responses_total', `rcode="${rcode}"`), rcode).toBe(rcode === 'NOERROR' ? 2 : 1);
  });

  it('has request duration by type and request/response sizes by protocol as cumulative histograms', () => {
    expect(sample(scrape, 'minilb_dns_request_duration_seconds_count', 'type="A"')).toBe(4);
    expect(sample(scrape, 'minilb_dns_request_duration_seconds_bucket', 'type="A",le="+Inf"')).toBe(4);
    // The relayed query waited out the 200 ms upstream timeout; the others did not.
    expect(sample(scrape, 'minilb_dns_request_duration_seconds_bucket', 'type="A",le="0.1"')).toBe(3);
    expect(sample(scrape, 'minilb_dns_request_duration_seconds_sum', 'type="A"')).toBeGreaterThan(0.2);
    // A 12-byte header-only FORMERR question; the CHAOS query is the largest at under 100 bytes.
    expect(sample(scrape, 'minilb_dns_request_size_bytes_bucket', 'proto="udp",le="0"')).toBe(0);
    expect(sample(scrape, 'minilb_dns_request_size_bytes_bucket', 'proto="udp",le="100"')).toBe(7);
    expect(sample(scrape, 'minilb_dns_request_size_bytes_count', 'proto="tcp"')).toBe(1);
    expect(sample(scrape, 'minilb_dns_response_size_bytes_count', 'proto="udp"')).toBe(7);
    expect(sample(scrape, 'minilb_dns_response_size_bytes_sum', 'proto="tcp"')).toBeGreaterThan(12 + 16 + 28); // header, question, one AAAA
  });

  it('keeps the 0.1.0 names for one more release, with the same counts', () => {
    expect(sample(scrape, 'minilb_dns_queries_total', 'transport="udp",qtype="A",rcode="NXDOMAIN"')).toBe(1);
    expect(sample(scrape, 'minilb_dns_queries_total', 'transport="tcp",qtype="AAAA",rcode="NOERROR"')).toBe(1);
    expect(sample(scrape, 'minilb_dns_answer_seconds_count', 'transport="udp"')).toBe(7);
    expect(sample(scrape, 'minilb_dns_malformed_total', 'transport="udp"')).toBe(1); // the FORMERR
  });

  it('says which version runs on which Node.js', () => {
    expect(scrape).toMatch(new RegExp(`^minilb_build_info\\{version="\\d+\\.\\d+\\.\\d+",nodeversion="${process.versions.node.replace(/\./g, '\\.')}"\\} 1$`, 'm'));
  });
});

describe('address family label', () => {
  it('is 1 for IPv4 (also IPv4-mapped on a dual-stack socket) and 2 for IPv6', () => {
    expect(addressFamily('192.0.2.1')).toBe('1');
    expect(addressFamily('::ffff:192.0.2.1')).toBe('1');
    expect(addressFamily('2001:db8::1')).toBe('2');
    expect(addressFamily('::1')).toBe('2');
  });
});
