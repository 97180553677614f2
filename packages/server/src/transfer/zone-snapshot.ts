// The zones minilb is authoritative for, as record sets a secondary can hold: the minilb zone
// (every name in it) and each served hostname outside it, which is the apex of its own one-name
// zone. Built from the index's names and lookups, so a transfer carries exactly what queries
// would answer.

import { isInZone } from '../index/hostnames.js';
import type { Answers, NameIndex } from '../index/name-lookup.js';
import { ipv4Bytes, ipv6Bytes } from '../net/ip-prefix.js';
import { RecordType } from '../dns/protocol-numbers.js';
import { isWritableName, type RecordData } from '../dns/response-writer.js';
import type { ZoneAuthority } from '../dns/zone-authority.js';

// One record as zone-file text, "owner TYPE data" (`web.shop.minilb A 10.244.1.5`): the key
// diffs compare, and a tenth of the memory of decoded data (a 10,000-Service zone is 120,000
// records); it is decoded again only while a transfer message is written.
export interface ZoneRecord {
  key: string;
  ttl: number;
}

export interface ZoneSnapshot {
  apex: string;
  serial: number;
  records: ZoneRecord[]; // apex SOA first, then apex NS, then every other record, sorted by key
}

// What a transfer needs of the index: every name that holds records, besides lookups.
export type EnumerableIndex = NameIndex & { recordNames(): Iterable<string> };

export interface SnapshotOptions {
  authority: ZoneAuthority;
  ttl: number;
}

// One snapshot per zone, keyed by apex. Out-of-zone wildcard hostnames are left out: a DNS
// wildcard on a secondary would match any depth, which the Ingress spec's one-label rule does not.
export function snapshotZones(index: EnumerableIndex, options: SnapshotOptions): Map<string, ZoneSnapshot> {
  const steps = snapshotSteps(index, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

// The same, giving the event loop a turn every `namesPerTurn` names: a 10,000-Service zone is
// 60,000 lookups, which must not hold DNS answers up. Names changed meanwhile are read as they
// are when reached; the next snapshot (the index version moved) catches up with the rest.
export async function snapshotZonesInTurns(index: EnumerableIndex, options: SnapshotOptions, namesPerTurn = 256): Promise<Map<string, ZoneSnapshot>> {
  const steps = snapshotSteps(index, options, namesPerTurn);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function* snapshotSteps(index: EnumerableIndex, options: SnapshotOptions, namesPerTurn = Infinity): Generator<void, Map<string, ZoneSnapshot>> {
  const { authority } = options;
  const serial = index.version >>> 0;
  const byApex = new Map<string, ZoneRecord[]>();
  const recordsOf = (apex: string): ZoneRecord[] => {
    let list = byApex.get(apex);
    if (!list) byApex.set(apex, (list = []));
    return list;
  };
  recordsOf(authority.zone);
  let names = 0;
  for (const name of index.recordNames()) {
    if (++names % namesPerTurn === 0) yield;
    const apex = zoneOf(name, authority);
    if (apex === undefined) continue;
    const lookup = index.lookup(name);
    if (lookup.kind !== 'found') continue;
    const list = recordsOf(apex);
    for (const data of recordsFromAnswers(lookup.answers)) list.push(zoneRecord(name, options.ttl, data));
  }
  const { a, aaaa } = authority.nameServerAnswers;
  for (const address of [...a, ...aaaa]) {
    const data = addressRecord(address);
    if (data) recordsOf(authority.zone).push(zoneRecord(authority.nameServer, options.ttl, data));
  }

  yield;
  const snapshots = new Map<string, ZoneSnapshot>();
  for (const [apex, list] of byApex) {
    const unique = new Map<string, ZoneRecord>();
    for (const record of list) unique.set(record.key, record);
    const records = [...unique.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const soa = authority.soa(serial);
    records.unshift(
      zoneRecord(apex, authority.negativeTtl, soa),
      zoneRecord(apex, options.ttl, { type: RecordType.NS, target: authority.nameServer }),
    );
    snapshots.set(apex, { apex, serial, records });
  }
  return snapshots;
}

// The zone a name is transferred in: the minilb zone, or its own one-name zone outside it.
// Out-of-zone wildcards are left out (see snapshotZones).
function zoneOf(name: string, authority: Pick<ZoneAuthority, 'zone' | 'isInZone'>): string | undefined {
  if (authority.isInZone(name)) return authority.zone;
  return name.startsWith('*.') ? undefined : name;
}

// The zones a secondary holds, for `minilb secondary`: the minilb zone first, then each served
// hostname outside it (from the index's claimed names).
export function transferZoneNames(zone: string, claimedNames: Iterable<string>): string[] {
  const authority = { zone, isInZone: (name: string) => isInZone(name, zone) };
  const zones = new Set<string>([zone]);
  for (const name of claimedNames) {
    const apex = zoneOf(name, authority);
    if (apex !== undefined) zones.add(apex);
  }
  return [...zones];
}

function recordsFromAnswers(answers: Answers): RecordData[] {
  if (answers.cname !== undefined) {
    return isWritableName(answers.cname) ? [{ type: RecordType.CNAME, target: answers.cname }] : [];
  }
  const out: RecordData[] = [];
  for (const text of [...answers.a, ...answers.aaaa]) {
    const data = addressRecord(text);
    if (data) out.push(data);
  }
  for (const srv of answers.srv) {
    if (isWritableName(srv.target)) out.push({ type: RecordType.SRV, priority: srv.priority, weight: srv.weight, port: srv.port, target: srv.target });
  }
  return out;
}

function addressRecord(text: string): RecordData | undefined {
  const v4 = ipv4Bytes(text);
  if (v4) return { type: RecordType.A, address: v4 };
  const v6 = ipv6Bytes(text);
  return v6 ? { type: RecordType.AAAA, address: v6 } : undefined;
}

export function zoneRecord(owner: string, ttl: number, data: RecordData): ZoneRecord {
  return { key: `${owner} ${recordText(data)}`, ttl };
}

export function recordOwner(record: ZoneRecord): string {
  return record.key.slice(0, record.key.indexOf(' '));
}

// The wire data back from the text recordText wrote.
export function recordData(record: ZoneRecord): RecordData {
  const [, type = '', ...fields] = record.key.split(' ');
  const name = (text: string | undefined): string => (text ?? '').replace(/\.$/, '');
  const number = (i: number): number => Number(fields[i]);
  switch (type) {
    case 'A':
      return { type: RecordType.A, address: ipv4Bytes(fields[0] ?? '')! };
    case 'AAAA':
      return { type: RecordType.AAAA, address: ipv6Bytes(fields[0] ?? '')! };
    case 'CNAME':
      return { type: RecordType.CNAME, target: name(fields[0]) };
    case 'NS':
      return { type: RecordType.NS, target: name(fields[0]) };
    case 'SRV':
      return { type: RecordType.SRV, priority: number(0), weight: number(1), port: number(2), target: name(fields[3]) };
    case 'SOA':
      return { type: RecordType.SOA, mname: name(fields[0]), rname: name(fields[1]), serial: number(2), refresh: number(3), retry: number(4), expire: number(5), minimum: number(6) };
    default:
      throw new Error(`zone record of unexpected type: ${record.key}`);
  }
}

// The record's type and data as zone-file text: the diff key, and readable in tests and logs.
export function recordText(data: RecordData): string {
  switch (data.type) {
    case RecordType.A:
      return `A ${[...data.address].join('.')}`;
    case RecordType.AAAA: {
      const words: string[] = [];
      for (let i = 0; i < 16; i += 2) words.push(((data.address[i]! << 8) | data.address[i + 1]!).toString(16));
      return `AAAA ${words.join(':')}`;
    }
    case RecordType.CNAME:
      return `CNAME ${data.target}.`;
    case RecordType.NS:
      return `NS ${data.target}.`;
    case RecordType.SRV:
      return `SRV ${data.priority} ${data.weight} ${data.port} ${data.target}.`;
    case RecordType.SOA:
      return `SOA ${data.mname}. ${data.rname}. ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
    case RecordType.HINFO:
      return `HINFO "${data.cpu}" "${data.os}"`;
  }
}
