// Zone transfer of a large zone: minilb's AXFR beside Knot's AXFR of exactly the same records
// (Knot loads the zone file minilb's own transfer produced). Time to the last message, records,
// bytes, and each server's resident memory before and at its peak during the transfer.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { decode, type Answer } from '@leichtgewicht/dns-packet';
import { rssMiB } from './proc-stats.js';
import type { DnsServer } from './servers.js';

export interface TransferFigures {
  server: string;
  seconds: number;
  records: number;
  messages: number;
  megabytes: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

export interface TransferResult {
  services: number;
  endpointsPerService: number;
  runs: TransferFigures[];
}

interface Axfr {
  seconds: number;
  records: Answer[];
  messages: number;
  bytes: number;
}

// One AXFR over TCP, every message decoded (the same client work for each server).
export function axfr(port: number, zone: string, timeoutMs = 120_000): Promise<Axfr> {
  const query = Buffer.alloc(2 + 12 + zone.length + 2 + 4);
  query.writeUInt16BE(query.length - 2, 0);
  query.writeUInt16BE(0x4242, 2);
  query.writeUInt16BE(1, 6);
  let at = 14;
  for (const label of zone.split('.')) {
    query[at++] = label.length;
    at += query.write(label, at, 'latin1');
  }
  query[at++] = 0;
  query.writeUInt16BE(252, at);
  query.writeUInt16BE(1, at + 2);

  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const records: Answer[] = [];
    let messages = 0;
    let bytes = 0;
    let pending: Buffer = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1', () => socket.write(query));
    const timer = setTimeout(() => finish(new Error(`AXFR of ${zone} from port ${port} took over ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ seconds: (performance.now() - t0) / 1000, records, messages, bytes });
    };
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        messages++;
        bytes += length;
        const decoded = decode(message);
        if ((decoded.flags ?? 0) & 0xf) return finish(new Error(`AXFR of ${zone} from port ${port}: rcode ${decoded.rcode}`));
        records.push(...(decoded.answers ?? []));
        if (records.length > 1 && records[records.length - 1]!.type === 'SOA') return finish();
      }
    });
  });
}

// Samples RSS while `work` runs; returns the largest.
async function peakRssDuring<T>(pid: number, work: Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // the process is gone; the transfer will say so
    }
  }, 10);
  try {
    const value = await work;
    return { value, peak: Math.max(peak, rssMiB(pid)) };
  } finally {
    clearInterval(timer);
  }
}

export async function measureTransfer(server: DnsServer, zone: string, rounds: number): Promise<{ figures: TransferFigures; records: Answer[] }> {
  let best: TransferFigures | undefined;
  let records: Answer[] = [];
  for (let round = 0; round < rounds; round++) {
    const rssBeforeMiB = rssMiB(server.pid);
    const { value, peak } = await peakRssDuring(server.pid, axfr(server.port, zone));
    const figures = {
      server: server.name,
      seconds: value.seconds,
      records: value.records.length,
      messages: value.messages,
      megabytes: value.bytes / 1024 / 1024,
      rssBeforeMiB,
      rssPeakMiB: peak,
    };
    if (!best || figures.seconds < best.seconds) best = figures;
    records = value.records;
  }
  return { figures: best!, records };
}

// The transferred records as a zone file (the closing SOA left out), for Knot to load.
export function writeZoneFile(dir: string, zone: string, records: Answer[]): string {
  const lines = records.slice(0, -1).map((r) => {
    const data = r.data as unknown;
    let text: string;
    switch (r.type) {
      case 'SOA': {
        const soa = data as { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
        text = `${soa.mname}. ${soa.rname}. ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
        break;
      }
      case 'SRV': {
        const srv = data as { priority: number; weight: number; port: number; target: string };
        text = `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}.`;
        break;
      }
      case 'NS':
      case 'CNAME':
        text = `${String(data)}.`;
        break;
      default:
        text = String(data);
    }
    return `${r.name}. ${r.ttl ?? 0} IN ${r.type} ${text}`;
  });
  const path = join(dir, `${zone}.axfr.zone`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export function renderTransfer(result: TransferResult): string[] {
  const out = [
    '### Zone transfer (AXFR)',
    '',
    `The minilb zone of ${result.services.toLocaleString('en-US')} Services with ${result.endpointsPerService} endpoints each (A, AAAA, SRV and per-endpoint names), ` +
      'transferred over TCP on loopback and decoded by the same client; Knot serves the zone file made from minilb\'s own transfer, so both send the same records. Best of the rounds.',
    '',
    '| server | seconds | records | messages | MB | RSS before MiB | RSS peak MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of result.runs) {
    out.push(`| ${r.server} | ${r.seconds.toFixed(2)} | ${r.records.toLocaleString('en-US')} | ${r.messages} | ${r.megabytes.toFixed(1)} | ${r.rssBeforeMiB.toFixed(1)} | ${r.rssPeakMiB.toFixed(1)} |`);
  }
  out.push('');
  return out;
}
