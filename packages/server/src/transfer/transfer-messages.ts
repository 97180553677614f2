// AXFR (RFC 5936) and IXFR (RFC 1995) answers as a sequence of DNS messages, each filled up
// to the 64 KB TCP limit (less the room its TSIG needs). Messages are produced one at a time as
// the connection asks for them, so a large zone is never encoded in memory all at once.

import { HeaderFlag, MAX_TCP_MESSAGE, Rcode } from '../dns/protocol-numbers.js';
import { ResponseWriter } from '../dns/response-writer.js';
import type { IncrementalAnswer } from './zone-journal.js';
import { recordData, recordOwner, type ZoneRecord, type ZoneSnapshot } from './zone-snapshot.js';

export interface MessageHeader {
  id: number;
  question: Buffer; // the query's question, echoed in the first message
  rd: boolean;
}

// Every record of the zone between two copies of its SOA.
export function* axfrRecords(snapshot: ZoneSnapshot): Generator<ZoneRecord> {
  const soa = snapshot.records[0]!;
  yield* snapshot.records;
  yield soa;
}

// The current SOA, then per difference the old SOA, what went, the new SOA and what came, then
// the current SOA again; a secondary that is current gets the SOA alone.
export function* ixfrRecords(answer: IncrementalAnswer): Generator<ZoneRecord> {
  const current = answer.snapshot.records[0]!;
  if (answer.kind === 'up-to-date') {
    yield current;
    return;
  }
  if (answer.kind === 'full') {
    yield* axfrRecords(answer.snapshot);
    return;
  }
  yield current;
  for (const difference of answer.differences) {
    yield difference.fromSoa;
    yield* difference.removed;
    yield difference.toSoa;
    yield* difference.added;
  }
  yield current;
}

// Packs records into messages. `reserve` bytes stay free in each for the TSIG record.
export function* transferMessages(header: MessageHeader, records: Iterable<ZoneRecord>, reserve: number): Generator<Buffer> {
  const flags = HeaderFlag.QR | HeaderFlag.AA | (header.rd ? HeaderFlag.RD : 0) | Rcode.NOERROR;
  let writer = new ResponseWriter(MAX_TCP_MESSAGE, header.id, flags);
  writer.question(header.question, true);
  let count = 0;
  for (const record of records) {
    const owner = recordOwner(record);
    const data = recordData(record);
    if (writer.record('answer', owner, record.ttl, data, reserve)) {
      count++;
      continue;
    }
    if (count === 0) throw new Error(`record ${record.key} does not fit a transfer message`);
    yield writer.finish();
    writer = new ResponseWriter(MAX_TCP_MESSAGE, header.id, flags);
    count = 0;
    if (!writer.record('answer', owner, record.ttl, data, reserve)) {
      throw new Error(`record ${record.key} does not fit a transfer message`);
    }
    count++;
  }
  yield writer.finish();
}
