// Encoded responses kept per question and transport size class, dropped whenever the index
// changes, so a repeated query costs a map lookup, an ID patch, the question copy and a shuffle.

import type { NameIndex } from '../index/name-lookup.js';
import { responseCacheLookups } from '../metrics.js';
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

const hits = responseCacheLookups.labels('hit');
const misses = responseCacheLookups.labels('miss');

export class ResponseCache {
  private readonly entries = new Map<string, EncodedResponse>();
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

  get(key: string): EncodedResponse | undefined {
    // onChange already clears; the version check also covers an index that changes without telling.
    if (this.index.version !== this.version) {
      this.entries.clear();
      this.version = this.index.version;
    }
    const entry = this.entries.get(key);
    (entry ? hits : misses).inc();
    return entry;
  }

  set(key: string, entry: EncodedResponse): void {
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

// Everything the cached bytes depend on: the exact question (wire labels, type, class), the size
// the answer was cut to, and the EDNS facts echoed in the OPT (present, DO). The question key is
// prefix-free, so appending the rest can never make two different queries meet.
export function responseCacheKey(query: ParsedQuery, sizeLimit: number): string {
  const edns = query.edns ? (query.edns.dnssecOk ? 'D' : 'E') : 'N';
  return `${query.questionKey}${edns}${sizeLimit}`;
}

// One response for one query: the cached bytes with the query's ID, its RD and CD bits, its
// question bytes (its letter case) and a fresh order of the shuffled records.
export function renderResponse(entry: EncodedResponse, query: ParsedQuery): Buffer {
  const { bytes, shuffle } = entry;
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  out.writeUInt16BE(query.id, 0);
  out[2] = (out[2]! & 0xfe) | ((query.flags >> 8) & 0x01);
  out[3] = (out[3]! & 0xef) | (query.flags & 0x10);
  query.question.copy(out, HEADER_LENGTH);
  if (shuffle && shuffle.length > 2) {
    // Fisher-Yates over record indices, then the records copied in that order. A byte loop beats
    // Buffer#copy for blocks this small (16 bytes for A, 28 for AAAA).
    const count = shuffle.length - 1;
    const order: number[] = new Array<number>(count);
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
