// The zones as a secondary sees them over time: the current snapshot of each, refreshed when the
// index moves on, and a bounded journal of the differences between successive serials, which
// IXFR (RFC 1995) answers from.

import { serialNewer } from './serial-arithmetic.js';
import { snapshotZones, snapshotZonesInTurns, type EnumerableIndex, type SnapshotOptions, type ZoneRecord, type ZoneSnapshot } from './zone-snapshot.js';

export interface ZoneDifference {
  fromSerial: number;
  toSerial: number;
  fromSoa: ZoneRecord;
  toSoa: ZoneRecord;
  removed: ZoneRecord[];
  added: ZoneRecord[];
}

export type IncrementalAnswer =
  | { kind: 'up-to-date'; snapshot: ZoneSnapshot }
  | { kind: 'differences'; snapshot: ZoneSnapshot; differences: ZoneDifference[] }
  | { kind: 'full'; snapshot: ZoneSnapshot }; // the journal does not reach back: AXFR-style

export interface ZoneJournalOptions extends SnapshotOptions {
  // Records kept in the journal over all zones (each difference counts its two SOAs, removed
  // and added); the oldest differences go first past it.
  maxJournalRecords: number;
}

export class ZoneJournal {
  private snapshots = new Map<string, ZoneSnapshot>();
  private snapshotVersion = -1;
  private readonly journals = new Map<string, ZoneDifference[]>();
  private journalRecords = 0;
  private building: Promise<string[]> | undefined;

  constructor(
    private readonly index: EnumerableIndex,
    private readonly options: ZoneJournalOptions,
  ) {}

  // Apexes of every zone, the minilb zone first.
  zones(): string[] {
    return [...this.current().keys()];
  }

  snapshot(apex: string): ZoneSnapshot | undefined {
    return this.current().get(apex);
  }

  // The last snapshot taken; the very first is taken on the spot. A newer one, when the index
  // moved on, is built in turns (refreshInTurns), and NOTIFY tells the secondaries once it is.
  private current(): Map<string, ZoneSnapshot> {
    if (this.snapshotVersion < 0) this.refresh();
    else if (this.index.version !== this.snapshotVersion) void this.refreshInTurns();
    return this.snapshots;
  }

  // Takes a new snapshot if the index changed since the last one and journals what differs.
  // Returns the apexes whose records changed (the zones to NOTIFY).
  refresh(): string[] {
    if (this.index.version === this.snapshotVersion) return [];
    return this.apply(snapshotZones(this.index, this.options), this.index.version);
  }

  // The same without holding up DNS answers: the snapshot is built a few hundred names per turn.
  async refreshInTurns(): Promise<string[]> {
    while (this.building) await this.building;
    if (this.index.version === this.snapshotVersion) return [];
    const version = this.index.version;
    this.building = snapshotZonesInTurns(this.index, this.options).then((next) => this.apply(next, version));
    try {
      return await this.building;
    } finally {
      this.building = undefined;
    }
  }

  private apply(next: Map<string, ZoneSnapshot>, version: number): string[] {
    const changed: string[] = [];
    for (const [apex, snapshot] of next) {
      const previous = this.snapshots.get(apex);
      if (!previous) {
        if (this.snapshotVersion >= 0) changed.push(apex);
        continue;
      }
      const difference = diff(previous, snapshot);
      if (difference.removed.length > 0 || difference.added.length > 0) changed.push(apex);
      this.record(apex, difference);
    }
    for (const apex of this.snapshots.keys()) {
      if (!next.has(apex)) this.journals.delete(apex); // the zone is gone; its history with it
    }
    this.snapshots = next;
    this.snapshotVersion = version;
    this.trim();
    return changed;
  }

  // RFC 1995 section 4: what to send a secondary that holds `clientSerial`.
  incremental(apex: string, clientSerial: number): IncrementalAnswer | undefined {
    const snapshot = this.snapshot(apex);
    if (!snapshot) return undefined;
    if (!serialNewer(snapshot.serial, clientSerial)) return { kind: 'up-to-date', snapshot };
    const journal = this.journals.get(apex) ?? [];
    const start = journal.findIndex((d) => d.fromSerial === clientSerial);
    if (start < 0) return { kind: 'full', snapshot };
    return { kind: 'differences', snapshot, differences: journal.slice(start) };
  }

  private record(apex: string, difference: ZoneDifference): void {
    let journal = this.journals.get(apex);
    if (!journal) this.journals.set(apex, (journal = []));
    journal.push(difference);
    this.journalRecords += cost(difference);
  }

  // Drops the oldest differences, across zones, until the journal fits its bound.
  private trim(): void {
    while (this.journalRecords > this.options.maxJournalRecords) {
      let oldest: { apex: string; serial: number } | undefined;
      for (const [apex, journal] of this.journals) {
        const first = journal[0];
        if (first && (!oldest || serialNewer(oldest.serial, first.toSerial))) oldest = { apex, serial: first.toSerial };
      }
      if (!oldest) return;
      const dropped = this.journals.get(oldest.apex)!.shift()!;
      this.journalRecords -= cost(dropped);
    }
  }
}

function diff(previous: ZoneSnapshot, next: ZoneSnapshot): ZoneDifference {
  const before = new Map(previous.records.slice(1).map((r) => [r.key, r]));
  const after = new Map(next.records.slice(1).map((r) => [r.key, r]));
  const removed = [...before.values()].filter((r) => !after.has(r.key));
  const added = [...after.values()].filter((r) => !before.has(r.key));
  return { fromSerial: previous.serial, toSerial: next.serial, fromSoa: previous.records[0]!, toSoa: next.records[0]!, removed, added };
}

function cost(difference: ZoneDifference): number {
  return 2 + difference.removed.length + difference.added.length;
}
