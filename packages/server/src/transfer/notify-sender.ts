// NOTIFY (RFC 1996): tells the configured secondaries, shortly after the records change, that a
// zone has a new serial, so they transfer it at once instead of waiting for their refresh timer.
// Changes within the debounce window go out as one NOTIFY; an unanswered one is sent again.

import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { HostPort } from '../config/host-port.js';
import type { Logger } from '../log.js';
import { HeaderFlag, RecordClass, RecordType } from '../dns/protocol-numbers.js';
import { ResponseWriter } from '../dns/response-writer.js';
import { throttledWarning } from '../dns/throttled-warning.js';
import { notifyMessages } from './transfer-metrics.js';
import { lastMac, ReplySigner, verifyReply, type TsigKey } from './tsig.js';
import { skipName, soaSerialAt, wireName } from './wire-names.js';
import type { ZoneJournal } from './zone-journal.js';
import { recordData, recordOwner, type ZoneSnapshot } from './zone-snapshot.js';

const OPCODE_NOTIFY = 4;
const OPCODE_QUERY = 0;

export interface NotifySenderOptions {
  targets: readonly HostPort[];
  journal: ZoneJournal;
  key: TsigKey | undefined;
  delayMs: number; // debounce window after a change
  // Waits before each retransmission; RFC 1996 3.6 leaves the interval to us, and a zone that
  // follows pod readiness wants seconds, not the 60 s its example uses.
  retryDelaysMs?: readonly number[];
  log: Logger;
}

// A message waiting for its reply: `accept` checks the reply and settles the exchange.
interface Outstanding {
  accept: (reply: Buffer) => void;
  cancel: () => void;
}

export class NotifySender {
  private timer: NodeJS.Timeout | undefined;
  private readonly sockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  private readonly outstanding = new Map<string, Outstanding>(); // by target + id
  private readonly generation = new Map<string, number>(); // target + apex -> newest notify
  private readonly warnGaveUp: (details: Record<string, unknown>) => void;
  private closed = false;

  constructor(private readonly options: NotifySenderOptions) {
    this.warnGaveUp = throttledWarning(options.log, 'NOTIFY not acknowledged by a secondary; it will see the change at its next refresh');
  }

  // Called on every index change; the NOTIFY goes out once the window has passed quietly.
  changed(): void {
    if (this.closed || this.options.targets.length === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.options.delayMs);
    this.timer.unref();
  }

  // Takes the new snapshot and notifies every target of every zone whose records changed.
  async flush(): Promise<void> {
    this.timer = undefined;
    for (const apex of await this.options.journal.refreshInTurns()) {
      const snapshot = this.options.journal.snapshot(apex);
      if (!snapshot) continue;
      for (const target of this.options.targets) void this.notify(target, snapshot);
    }
  }

  // The serial each target holds for a zone, by a plain SOA query (undefined when it does not
  // answer in time): at start-up the index is moved past the newest, so a restarted minilb
  // never offers a serial its secondaries would call old.
  async secondarySerials(apex: string, timeoutMs = 1000): Promise<number[]> {
    const serials = await Promise.all(this.options.targets.map((target) => this.querySoa(target, apex, timeoutMs)));
    return serials.filter((s): s is number => s !== undefined);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const pending of [...this.outstanding.values()]) pending.cancel();
    this.outstanding.clear();
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }

  private async notify(target: HostPort, snapshot: ZoneSnapshot): Promise<void> {
    const slot = `${formatTarget(target)} ${snapshot.apex}`;
    const generation = (this.generation.get(slot) ?? 0) + 1;
    this.generation.set(slot, generation);
    const delays = this.options.retryDelaysMs ?? [1000, 2000, 4000, 8000, 16000];
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (this.closed || this.generation.get(slot) !== generation) return; // a newer change took over
      const ok = await this.exchange(target, snapshot, delays[attempt] ?? delays[delays.length - 1] ?? 1000, OPCODE_NOTIFY);
      if (ok === true) {
        notifyMessages.labels('acknowledged').inc();
        this.options.log.debug({ secondary: formatTarget(target), zone: snapshot.apex, serial: snapshot.serial }, 'NOTIFY acknowledged');
        return;
      }
      if (ok === 'bad-reply') notifyMessages.labels('bad-reply').inc();
      if (attempt < delays.length) notifyMessages.labels('retried').inc();
    }
    notifyMessages.labels('gave-up').inc();
    this.warnGaveUp({ secondary: formatTarget(target), zone: snapshot.apex, serial: snapshot.serial });
  }

  private async querySoa(target: HostPort, apex: string, timeoutMs: number): Promise<number | undefined> {
    let serial: number | undefined;
    await this.exchange(target, { apex, records: [] }, timeoutMs, OPCODE_QUERY, (reply) => {
      serial = soaSerialOf(reply);
    });
    return serial;
  }

  // One message out, one matching reply in (or the timeout). NOTIFY carries the zone's current
  // SOA in its answer section, as RFC 1996 3.7 allows, and is signed when a key is set.
  private exchange(
    target: HostPort,
    snapshot: Pick<ZoneSnapshot, 'apex' | 'records'>,
    timeoutMs: number,
    opcode: number,
    onReply?: (reply: Buffer) => void,
  ): Promise<boolean | 'bad-reply'> {
    const host = target.host ?? '127.0.0.1';
    const id = randomInt(0, 0x10000);
    const writer = new ResponseWriter(1232, id, (opcode << 11) | (opcode === OPCODE_NOTIFY ? HeaderFlag.AA : 0));
    writer.question(Buffer.concat([wireName(snapshot.apex), Buffer.from([0, RecordType.SOA, 0, RecordClass.IN])]), true);
    const soa = snapshot.records[0];
    if (opcode === OPCODE_NOTIFY && soa) writer.record('answer', recordOwner(soa), soa.ttl, recordData(soa));
    let message = writer.finish();
    const key = opcode === OPCODE_NOTIFY ? this.options.key : undefined;
    if (key) message = new ReplySigner(key, undefined).sign(message);
    const requestMac = key ? lastMac(message) : undefined;

    return new Promise((resolve) => {
      const slot = `${formatTarget(target)}#${id}`;
      const settle = (result: boolean | 'bad-reply'): void => {
        clearTimeout(timer);
        this.outstanding.delete(slot);
        resolve(result);
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      timer.unref();
      this.outstanding.set(slot, {
        accept: (reply) => {
          if (((reply.readUInt16BE(2) >> 11) & 0xf) !== opcode) return settle('bad-reply');
          if (key && requestMac && !verifyReply(reply, requestMac, key)) return settle('bad-reply');
          onReply?.(reply);
          settle(true);
        },
        cancel: () => settle(false),
      });
      this.socketFor(host).send(message, target.port, host, (error) => {
        if (!error) return;
        this.options.log.debug({ secondary: formatTarget(target), err: error.message }, 'NOTIFY send failed');
        settle(false);
      });
    });
  }

  private socketFor(host: string): dgram.Socket {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    let socket = this.sockets.get(type);
    if (!socket) {
      socket = dgram.createSocket(type);
      socket.on('message', (reply, remote) => this.onMessage(reply, remote));
      socket.on('error', (error) => this.options.log.warn({ err: error.message }, 'NOTIFY socket error'));
      socket.unref();
      this.sockets.set(type, socket);
    }
    return socket;
  }

  private onMessage(reply: Buffer, remote: dgram.RemoteInfo): void {
    if (reply.length < 12 || (reply.readUInt16BE(2) & HeaderFlag.QR) === 0) return;
    const slot = `${formatTarget({ host: remote.address, port: remote.port })}#${reply.readUInt16BE(0)}`;
    this.outstanding.get(slot)?.accept(reply);
  }
}

function formatTarget(target: HostPort): string {
  const host = target.host ?? '127.0.0.1';
  return isIPv6(host) ? `[${host}]:${target.port}` : `${host}:${target.port}`;
}

// The serial of the SOA a reply carries first in its answer section.
function soaSerialOf(reply: Buffer): number | undefined {
  try {
    if ((reply.readUInt16BE(2) & 0xf) !== 0 || reply.readUInt16BE(6) === 0) return undefined;
    return soaSerialAt(reply, skipName(reply, 12) + 4);
  } catch {
    return undefined;
  }
}
