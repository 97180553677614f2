// Writes a DNS response into a size-limited buffer with RFC 1035 name compression; a record
// that would cross the limit is left out and the caller learns it did not fit (for TC).

import { HEADER_LENGTH, RecordClass, RecordType } from './protocol-numbers.js';

export type Section = 'answer' | 'authority' | 'additional';
const countOffset: Record<Section, number> = { answer: 6, authority: 8, additional: 10 };

// Responses are built one at a time on the event loop, so one scratch buffer serves them all;
// the slack lets a record be written past the limit before it is rolled back.
const scratch = Buffer.alloc(65535 + 4096);

export type RecordData =
  | { type: typeof RecordType.A | typeof RecordType.AAAA; address: Uint8Array }
  | { type: typeof RecordType.CNAME | typeof RecordType.NS; target: string }
  | { type: typeof RecordType.SRV; priority: number; weight: number; port: number; target: string }
  | {
      type: typeof RecordType.SOA;
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  | { type: typeof RecordType.HINFO; cpu: string; os: string };

// The owner of a record: a name, or the question's own name (written as a pointer to it, so
// the answer carries the client's letter case and costs two bytes).
export const QUESTION_NAME = Symbol('question name');
export type Owner = string | typeof QUESTION_NAME;

// How a record's names may serve later names as compression targets: 'shared' (fixed
// position), 'none' (the record moves and must not be pointed at), or 'movable' (the record is
// shuffled per response, so every pointer to it is listed in `pointerFixups` for the shuffle to
// rewrite).
export type NameSharing = 'shared' | 'none' | 'movable';

export class ResponseWriter {
  private offset = HEADER_LENGTH;
  private readonly compression = new Map<string, number>();
  private readonly movable = new Set<string>();
  private readonly fixups: number[] = [];
  private readonly limit: number;

  constructor(limit: number, id: number, flags: number) {
    this.limit = Math.min(limit, 65535);
    scratch.fill(0, 0, HEADER_LENGTH);
    scratch.writeUInt16BE(id, 0);
    scratch.writeUInt16BE(flags, 2);
  }

  get length(): number {
    return this.offset;
  }

  // The question goes in as the client's bytes. Its name's suffixes become compression targets
  // unless a label holds a '.', which a dotted name could not point at faithfully.
  question(bytes: Buffer, registerSuffixes: boolean): void {
    bytes.copy(scratch, this.offset);
    scratch.writeUInt16BE(1, 4);
    if (registerSuffixes) {
      let offset = this.offset;
      const labels: string[] = [];
      const offsets: number[] = [];
      while (bytes[offset - HEADER_LENGTH] !== 0) {
        const length = bytes[offset - HEADER_LENGTH]!;
        labels.push(bytes.toString('latin1', offset - HEADER_LENGTH + 1, offset - HEADER_LENGTH + 1 + length).toLowerCase());
        offsets.push(offset);
        offset += 1 + length;
      }
      for (let i = 0; i < labels.length; i++) this.compression.set(labels.slice(i).join('.'), offsets[i]!);
    }
    this.offset += bytes.length;
  }

  // Offsets of the pointers written into 'movable' records (see NameSharing).
  get pointerFixups(): readonly number[] {
    return this.fixups;
  }

  // Appends one record, or nothing if it would cross the limit (or `reserve` bytes kept back for
  // a record still to come, such as OPT). `sharing` says whether later records may point at the
  // names written here; records that get shuffled must never point into each other, and a
  // shuffled record only ever points at the question.
  record(section: Section, owner: Owner, ttl: number, data: RecordData, reserve = 0, sharing: NameSharing | boolean = 'shared'): boolean {
    const mode: NameSharing = sharing === true ? 'shared' : sharing === false ? 'none' : sharing;
    const start = this.offset;
    const fixupCount = this.fixups.length;
    const added: string[] = [];
    const register = mode === 'none' ? undefined : added;
    this.name(owner, register);
    const fixed = this.offset;
    this.offset += 10;
    scratch.writeUInt16BE(data.type, fixed);
    scratch.writeUInt16BE(RecordClass.IN, fixed + 2);
    scratch.writeUInt32BE(ttl >>> 0, fixed + 4);
    this.rdata(data, register);
    scratch.writeUInt16BE(this.offset - fixed - 10, fixed + 8);
    if (this.offset + reserve > this.limit) {
      this.offset = start;
      this.fixups.length = fixupCount;
      for (const key of added) {
        this.compression.delete(key);
        this.movable.delete(key);
      }
      return false;
    }
    if (mode === 'movable') for (const key of added) this.movable.add(key);
    this.bumpCount(section);
    return true;
  }

  // The EDNS OPT pseudo-record (RFC 6891): root owner, payload size in CLASS, extended rcode,
  // version and DO flag in TTL.
  opt(udpPayloadSize: number, extendedRcode: number, dnssecOk: boolean): boolean {
    if (this.offset + 11 > this.limit) return false;
    const at = this.offset;
    scratch[at] = 0;
    scratch.writeUInt16BE(RecordType.OPT, at + 1);
    scratch.writeUInt16BE(udpPayloadSize, at + 3);
    scratch[at + 5] = extendedRcode;
    scratch[at + 6] = 0; // version 0
    scratch.writeUInt16BE(dnssecOk ? 0x8000 : 0, at + 7);
    scratch.writeUInt16BE(0, at + 9);
    this.offset += 11;
    this.bumpCount('additional');
    return true;
  }

  setFlags(flags: number): void {
    scratch.writeUInt16BE(flags, 2);
  }

  flags(): number {
    return scratch.readUInt16BE(2);
  }

  finish(): Buffer {
    return Buffer.from(scratch.subarray(0, this.offset));
  }

  private bumpCount(section: Section): void {
    const at = countOffset[section];
    scratch.writeUInt16BE(scratch.readUInt16BE(at) + 1, at);
  }

  private rdata(data: RecordData, register: string[] | undefined): void {
    switch (data.type) {
      case RecordType.A:
      case RecordType.AAAA:
        scratch.set(data.address, this.offset);
        this.offset += data.address.length;
        return;
      case RecordType.CNAME:
      case RecordType.NS:
        this.name(data.target, register);
        return;
      case RecordType.SRV:
        scratch.writeUInt16BE(data.priority, this.offset);
        scratch.writeUInt16BE(data.weight, this.offset + 2);
        scratch.writeUInt16BE(data.port, this.offset + 4);
        this.offset += 6;
        // RFC 2782 and 3597: names inside SRV RDATA are never compressed, but later names (the
        // target's addresses in the additional section) may point at them, as Knot does.
        this.name(data.target, register, false);
        return;
      case RecordType.SOA:
        this.name(data.mname, register);
        this.name(data.rname, register);
        for (const value of [data.serial, data.refresh, data.retry, data.expire, data.minimum]) {
          scratch.writeUInt32BE(value >>> 0, this.offset);
          this.offset += 4;
        }
        return;
      case RecordType.HINFO:
        for (const text of [data.cpu, data.os]) {
          scratch[this.offset] = text.length;
          scratch.write(text, this.offset + 1, 'latin1');
          this.offset += 1 + text.length;
        }
        return;
    }
  }

  // Names reaching here were checked by isWritableName: ASCII, labels of 1-63 bytes.
  private name(owner: Owner, register: string[] | undefined, compress = true): void {
    if (owner === QUESTION_NAME) {
      scratch.writeUInt16BE(0xc000 | HEADER_LENGTH, this.offset);
      this.offset += 2;
      return;
    }
    let rest = owner;
    while (rest !== '') {
      const pointer = compress ? this.compression.get(rest) : undefined;
      if (pointer !== undefined) {
        if (this.movable.has(rest)) this.fixups.push(this.offset);
        scratch.writeUInt16BE(0xc000 | pointer, this.offset);
        this.offset += 2;
        return;
      }
      if (register && this.offset < 0x4000 && !this.compression.has(rest)) {
        this.compression.set(rest, this.offset);
        register.push(rest);
      }
      const dot = rest.indexOf('.');
      const label = dot < 0 ? rest : rest.slice(0, dot);
      scratch[this.offset] = label.length;
      scratch.write(label, this.offset + 1, 'latin1');
      this.offset += 1 + label.length;
      rest = dot < 0 ? '' : rest.slice(dot + 1);
    }
    scratch[this.offset] = 0;
    this.offset += 1;
  }
}

// What the writer can put on the wire as a name: lower-case ASCII labels of 1-63 bytes, at most
// 255 bytes in wire form. The index should only hold such names; this keeps a bad one from
// becoming a corrupt packet.
export function isWritableName(name: string): boolean {
  if (name === '') return true;
  if (name.length > 253) return false;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
  }
  // eslint-disable-next-line no-control-regex
  return /^[\x21-\x7e]+$/.test(name);
}
