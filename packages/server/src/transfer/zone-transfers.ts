// Wires zone transfers together for the server: the journal over the index, the AXFR/IXFR
// service the DNS front ends hand transfer queries to, and NOTIFY on every change.

import type { TransferConfig } from '../config/server-flags.js';
import { createZoneAuthority, type SoaTimers } from '../dns/zone-authority.js';
import type { Logger } from '../log.js';
import { NotifySender } from './notify-sender.js';
import { serialNewer } from './serial-arithmetic.js';
import { TransferService } from './transfer-service.js';
import { ZoneJournal } from './zone-journal.js';
import type { EnumerableIndex } from './zone-snapshot.js';

export interface ZoneTransfersOptions {
  config: TransferConfig;
  index: EnumerableIndex & { raiseVersion(serial: number): void };
  ttl: number;
  negativeTtl: number;
  soaTimers: SoaTimers;
  nameServerAddresses: readonly string[];
  log: Logger;
}

export interface ZoneTransfers {
  service: TransferService;
  // Moves our serial past any the secondaries hold (after a restart whose clock is behind the
  // serials we handed out, or a replica that ran ahead), then starts notifying.
  start(): Promise<void>;
  close(): void;
}

export function createZoneTransfers(options: ZoneTransfersOptions): ZoneTransfers {
  const { config, index, log } = options;
  const authority = createZoneAuthority(index.zone, options.negativeTtl, options.nameServerAddresses, options.soaTimers);
  const journal = new ZoneJournal(index, {
    authority,
    ttl: options.ttl,
    maxJournalRecords: config.journalRecords,
  });
  const notifier = new NotifySender({ targets: config.notify, journal, key: config.tsigKey, delayMs: config.notifyDelayMs, log });
  const service = new TransferService({ journal, allow: config.allow, key: config.tsigKey, log });
  return {
    service,
    async start() {
      const serials = await notifier.secondarySerials(index.zone);
      const newest = serials.reduce<number | undefined>((max, s) => (max === undefined || serialNewer(s, max) ? s : max), undefined);
      if (newest !== undefined && !serialNewer(index.version >>> 0, newest)) {
        log.info({ ours: index.version, secondaries: newest }, 'SOA serial moved past the secondaries\' (it must never go backwards)');
        index.raiseVersion(newest);
      }
      journal.refresh();
      index.onChange(() => notifier.changed());
      log.info(
        { allow: config.allow.text, tsigKey: config.tsigKey?.name, notify: config.notify.map((t) => `${t.host}:${t.port}`), zones: journal.zones().length },
        'zone transfers on',
      );
    },
    close: () => notifier.close(),
  };
}
