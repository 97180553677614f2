// Encoded responses kept per question and transport size class, dropped whenever the index
// changes, so a repeated query costs a map lookup, an ID patch, the question copy and a shuffle.

import type { NameIndex } from '../index/name-lookup.js';
import { responseCacheCounts } from '../metrics.js';
import { HEADER_LENGTH } from './protocol-numbers.js';
import type { ParsedQuery } from './query-parser.js';

export interface EncodedResponse {
  readonly bytes: Buffer; // a complete response; ID, RD/CD and the question are patched per use
  // Offsets of the answer records whose order is shuffled per response: record i spans
  // shuffle[i]..shuffle[i+1]. They only point at the question, so they move freely.
  readonly shuffle: readonly number[] | undefined;
  // Offsets of compression pointers after the shuffled records that point into them (SRV glue
  // owners pointing at SRV targets): rewritten to follow their record to its new place.
  readonly pointerFixups?: readonly number[];
  readonly rcode: number;
  readonly cnameTarget?: string; // the answer is this lone out-of-zone CNAME: its target may be chased
}

export interface CachedResponse extends EncodedResponse {
  readonly rateClass: string; // what the rate limiter counts it as (response-class.ts)
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private version: number;

  constructor(
    private readonly index: NameIndex,
    private readonly maxEntries: number,
  ) {
    this.version = index.version;
    index.onChange(() => this.entries.clear());
  }

  get size(): number {
    return this.entries.size;
  }

  // A lookup that counts as a hit or a miss.
  get(key: string): CachedResponse | undefined {
    const entry = this.peek(key);
    if (entry) responseCacheCounts.hit++;
    else responseCacheCounts.miss++;
    return entry;
  }

  // A lookup the caller counts itself (the wire fast path counts only the answers it serves).
  peek(key: string): CachedResponse | undefined {
    // onChange already clears; the version check also covers an index that changes without telling.
    if (this.index.version !== this.version) {
      this.entries.clear();
      this.version = this.index.version;
    }
    return this.entries.get(key);
  }

  set(key: string, entry: CachedResponse): void {
    if (this.maxEntries <= 0) return;
    // Insertion order makes the oldest entry the first key: a cheap bound against floods of
    // random names, and hot names come straight back after eviction.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }
}

// The EDNS facts an answer's OPT echoes: none, present, present with DO.
export const EdnsKey = { NONE: 0x4e, EDNS: 0x45, DNSSEC_OK: 0x44 } as const;
export type EdnsKey = (typeof EdnsKey)[keyof typeof EdnsKey];

// Buffer#latin1Slice is what toString('latin1') ends in, without its encoding switch and range
// checks (a third of the key's cost in the profile); the plain call where a runtime lacks it.
const latin1Slice = (Buffer.prototype as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;
const latin1 = (bytes: Buffer, length: number): string => (latin1Slice ? latin1Slice.call(bytes, 0, length) : bytes.toString('latin1', 0, length));

const MAX_QUESTION_LENGTH = 255 + 4;
const keyScratch = Buffer.alloc(MAX_QUESTION_LENGTH + 3);

// Everything the cached bytes depend on, as one latin1 string: the question's wire bytes (the
// length-prefixed labels with ASCII letters folded to lower case, then type and class as sent),
// a byte for the EDNS facts and two for the size the answer was cut to. Wire labels are
// prefix-free, so the tail can never make two different queries meet; only A-Z are folded
// (DNS compares names ASCII-case-insensitively, never other bytes), never the type and class.
// The slow and the fast path both build their key here from the same bytes.
export function questionCacheKey(packet: Buffer, start: number, end: number, edns: EdnsKey, sizeLimit: number): string {
  const nameEnd = end - 4;
  let n = 0;
  for (let i = start; i < nameEnd; i++) {
    const byte = packet[i]!;
    keyScratch[n++] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
  }
  for (let i = nameEnd; i < end; i++) keyScratch[n++] = packet[i]!;
  keyScratch[n++] = edns;
  keyScratch[n++] = sizeLimit >> 8;
  keyScratch[n++] = sizeLimit & 0xff;
  return latin1(keyScratch, n);
}

export function responseCacheKey(query: ParsedQuery, sizeLimit: number): string {
  const edns = query.edns ? (query.edns.dnssecOk ? EdnsKey.DNSSEC_OK : EdnsKey.EDNS) : EdnsKey.NONE;
  return questionCacheKey(query.question, 0, query.question.length, edns, sizeLimit);
}

// Reused by every shuffle (the event loop renders one response at a time): no array per answer.
const shuffleOrder: number[] = new Array<number>(64).fill(0);

// One response for one query: the cached bytes with the query's ID, its RD and CD bits, its
// question bytes (its letter case) and a fresh order of the shuffled records.
export function renderResponse(entry: EncodedResponse, query: ParsedQuery): Buffer {
  return renderFromQuery(entry, query.id, query.flags, query.question, 0, query.question.length);
}

// The same, straight from a query packet whose question spans HEADER_LENGTH..questionEnd.
export function renderFromPacket(entry: EncodedResponse, packet: Buffer, questionEnd: number): Buffer {
  return renderFromQuery(entry, (packet[0]! << 8) | packet[1]!, (packet[2]! << 8) | packet[3]!, packet, HEADER_LENGTH, questionEnd);
}

function renderFromQuery(entry: EncodedResponse, id: number, flags: number, question: Buffer, questionStart: number, questionEnd: number): Buffer {
  const { bytes, shuffle } = entry;
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes); // TypedArray#set: the same copy as Buffer#copy without its argument checks
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = (out[2]! & 0xfe) | ((flags >> 8) & 0x01);
  out[3] = (out[3]! & 0xef) | (flags & 0x10);
  // A byte loop: a question is some 20-60 bytes, below what a native copy call pays back.
  for (let from = questionStart, at = HEADER_LENGTH; from < questionEnd; ) out[at++] = question[from++]!;
  if (shuffle && shuffle.length > 2) {
    // Fisher-Yates over record indices, then the records copied in that order. A byte loop beats
    // Buffer#copy for blocks this small (16 bytes for A, 28 for AAAA).
    const count = shuffle.length - 1;
    const order = count <= shuffleOrder.length ? shuffleOrder : new Array<number>(count);
    for (let i = 0; i < count; i++) order[i] = i;
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
    }
    let at = shuffle[0]!;
    const fixups = entry.pointerFixups;
    const moved = fixups && fixups.length > 0 ? new Array<number>(count) : undefined;
    for (let i = 0; i < count; i++) {
      const record = order[i]!;
      const end = shuffle[record + 1]!;
      if (moved) moved[record] = at - shuffle[record]!;
      if (at === shuffle[record]) {
        at = end; // already in place (copied with the rest)
        continue;
      }
      for (let from = shuffle[record]!; from < end; from++) out[at++] = bytes[from]!;
    }
    if (moved) {
      for (const offset of fixups!) {
        const target = bytes.readUInt16BE(offset) & 0x3fff;
        let record = 0;
        while (record < count - 1 && shuffle[record + 1]! <= target) record++;
        out.writeUInt16BE(0xc000 | (target + moved[record]!), offset);
      }
    }
  }
  return out;
}
