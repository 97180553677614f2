// Answers AXFR and IXFR queries: who may transfer (the allow list, then TSIG when a key is set),
// which zone, and the message stream. Off unless -transfer-allow names networks.

import type { NetworkList } from '../config/network-list.js';
import type { Logger } from '../log.js';
import { HeaderFlag, MAX_EDNS_UDP_PAYLOAD, Rcode, RecordType } from '../dns/protocol-numbers.js';
import type { ParsedQuery } from '../dns/query-parser.js';
import { ResponseWriter } from '../dns/response-writer.js';
import { throttledWarning } from '../dns/throttled-warning.js';
import { transferRequests } from './transfer-metrics.js';
import { axfrRecords, ixfrRecords, transferMessages } from './transfer-messages.js';
import { findTsig, rejectionTsig, ReplySigner, tsigLength, verifyRequest, type TsigKey, type TsigRecord } from './tsig.js';
import { skipName, soaSerialAt } from './wire-names.js';
import type { ZoneJournal } from './zone-journal.js';

export const NOTAUTH = 9;

export interface TransferServiceOptions {
  journal: ZoneJournal;
  allow: NetworkList;
  key: TsigKey | undefined;
  log: Logger;
}

export type TransferReply = { kind: 'message'; bytes: Buffer; rcode: number } | { kind: 'stream'; messages: Iterable<Buffer> };

export class TransferService {
  private readonly warnRefused: (details: Record<string, unknown>) => void;

  constructor(private readonly options: TransferServiceOptions) {
    this.warnRefused = throttledWarning(options.log, 'zone transfer refused');
  }

  // `packet` is the whole query (TSIG covers it); `query` what the parser read of it.
  answer(packet: Buffer, query: ParsedQuery, transport: 'udp' | 'tcp', client: string): TransferReply {
    const type = query.qtype === RecordType.AXFR ? 'AXFR' : 'IXFR';
    const refuse = (reason: string, rcode: number = Rcode.REFUSED): TransferReply => {
      transferRequests.labels(type, reason).inc();
      this.warnRefused({ client, zone: query.name, type, reason });
      return { kind: 'message', bytes: errorReply(query, rcode), rcode };
    };

    if (!this.allowed(client)) return refuse('not-allowed');
    const tsig = findTsig(packet);
    if (tsig === 'malformed') return refuse('bad-tsig', Rcode.FORMERR);
    const key = this.options.key;
    let signer: ReplySigner | undefined;
    if (key) {
      if (!tsig) return refuse('unsigned');
      const verdict = verifyRequest(packet, tsig, key);
      if (!verdict.ok) {
        transferRequests.labels(type, 'bad-tsig').inc();
        this.warnRefused({ client, zone: query.name, type, reason: verdict.reason });
        return { kind: 'message', bytes: rejectionTsig(errorReply(query, NOTAUTH), verdict, key), rcode: NOTAUTH };
      }
      signer = new ReplySigner(key, tsig);
    }
    const sign = (message: Buffer): Buffer => (signer ? signer.sign(message) : message);

    const journal = this.options.journal;
    const snapshot = journal.snapshot(query.name);
    if (!snapshot) {
      transferRequests.labels(type, 'not-authoritative').inc();
      return { kind: 'message', bytes: sign(errorReply(query, NOTAUTH)), rcode: NOTAUTH };
    }
    const header = { id: query.id, question: query.question, rd: (query.flags & HeaderFlag.RD) !== 0 };
    const reserve = key ? tsigLength(key) : 0;

    if (type === 'AXFR') {
      // RFC 5936 4.2: AXFR is a TCP exchange.
      if (transport === 'udp') return refuse('udp', Rcode.FORMERR);
      transferRequests.labels(type, 'full').inc();
      this.options.log.info({ client, zone: snapshot.apex, serial: snapshot.serial, records: snapshot.records.length }, 'AXFR');
      return { kind: 'stream', messages: signEach(transferMessages(header, axfrRecords(snapshot), reserve), sign) };
    }

    const clientSerial = ixfrSerial(packet, tsig);
    if (clientSerial === undefined) return refuse('no-soa', Rcode.FORMERR);
    const incremental = journal.incremental(snapshot.apex, clientSerial)!;
    // RFC 1995 2: over UDP only the SOA ("use TCP", or "you are current") fits for sure.
    if (transport === 'udp' && incremental.kind !== 'up-to-date') {
      transferRequests.labels(type, 'udp-soa').inc();
      const [message] = transferMessages(header, [snapshot.records[0]!], reserve);
      return { kind: 'message', bytes: sign(message!), rcode: Rcode.NOERROR };
    }
    transferRequests.labels(type, incremental.kind).inc();
    this.options.log.info({ client, zone: snapshot.apex, from: clientSerial, to: snapshot.serial, answer: incremental.kind }, 'IXFR');
    const messages = transferMessages(header, ixfrRecords(incremental), reserve);
    if (transport === 'udp') {
      const [message] = messages;
      return { kind: 'message', bytes: sign(message!), rcode: Rcode.NOERROR };
    }
    return { kind: 'stream', messages: signEach(messages, sign) };
  }

  private allowed(client: string): boolean {
    return this.options.allow.contains(client);
  }
}

function* signEach(messages: Iterable<Buffer>, sign: (message: Buffer) => Buffer): Generator<Buffer> {
  for (const message of messages) yield sign(message);
}

function errorReply(query: ParsedQuery, rcode: number): Buffer {
  const writer = new ResponseWriter(MAX_EDNS_UDP_PAYLOAD, query.id, HeaderFlag.QR | (query.flags & HeaderFlag.RD) | rcode);
  writer.question(query.question, query.nameIsHostname);
  return writer.finish();
}

// The serial of the SOA an IXFR query carries in its authority section (RFC 1995 3).
function ixfrSerial(packet: Buffer, tsig: TsigRecord | undefined): number | undefined {
  try {
    const authorityCount = packet.readUInt16BE(8);
    if (packet.readUInt16BE(6) !== 0 || authorityCount < 1) return undefined;
    const soaAt = skipName(packet, 12) + 4;
    if (tsig && soaAt >= tsig.start) return undefined;
    return soaSerialAt(packet, soaAt);
  } catch {
    return undefined;
  }
}
