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

export interface ZoneRecord {
  owner: string; // lower-case, no trailing dot
  ttl: number;
  data: RecordData;
  key: string; // identifies the record (owner, type, data) for diffs; TTL left out
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
  const { authority } = options;
  const serial = index.version >>> 0;
  const byApex = new Map<string, ZoneRecord[]>();
  const recordsOf = (apex: string): ZoneRecord[] => {
    let list = byApex.get(apex);
    if (!list) byApex.set(apex, (list = []));
    return list;
  };
  recordsOf(authority.zone);
  for (const name of index.recordNames()) {
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
  return { owner, ttl, data, key: `${owner} ${recordText(data)}` };
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
