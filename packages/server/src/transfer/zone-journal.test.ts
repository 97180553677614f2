import { describe, expect, it } from 'vitest';
import { decode } from '@leichtgewicht/dns-packet';
import { createZoneAuthority } from '../dns/zone-authority.js';
import { RecordIndex } from '../index/record-index.js';
import { ingress, service, slice } from '../../testing/objects.fixture.js';
import { serialNewer } from './serial-arithmetic.js';
import { axfrRecords, ixfrRecords, transferMessages } from './transfer-messages.js';
import { ZoneJournal } from './zone-journal.js';
import { recordData, type ZoneRecord } from './zone-snapshot.js';

function cluster(): RecordIndex {
  const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
  index.upsert(service('shop', 'web', { annotations: { 'minilb/host': 'shop.example.org' } }));
  index.upsert(slice('shop', 'web-v4', 'web', 'IPv4', [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }]));
  index.upsert(slice('shop', 'web-v6', 'web', 'IPv6', [{ ip: 'fd00:10:244:1::5' }]));
  index.upsert(ingress('apps', 'grafana', ['grafana.sko.ai', '*.apps.sko.ai'], [{ hostname: 'web.shop.minilb' }]));
  return index;
}

function journalOf(index: RecordIndex, maxJournalRecords = 1000): ZoneJournal {
  return new ZoneJournal(index, { authority: createZoneAuthority('minilb', 5, ['192.0.2.53']), ttl: 5, maxJournalRecords });
}

const texts = (records: Iterable<ZoneRecord>): string[] => [...records].map((r) => r.key);

describe('zone snapshots', () => {
  it('list every name minilb answers in the minilb zone, between SOAs, and each outside hostname as its own zone', () => {
    const index = cluster();
    const journal = journalOf(index);
    expect(journal.zones().sort()).toEqual(['grafana.sko.ai', 'minilb', 'shop.example.org']);
    const zone = texts(axfrRecords(journal.snapshot('minilb')!));
    expect(zone[0]).toMatch(/^minilb SOA ns\.minilb\. hostmaster\.minilb\. \d+ /);
    expect(zone.at(-1)).toBe(zone[0]);
    expect(zone).toEqual(
      expect.arrayContaining([
        'minilb NS ns.minilb.',
        'ns.minilb A 192.0.2.53',
        'web.shop.minilb A 10.244.1.5',
        'web.shop.minilb A 10.244.2.6',
        'web.shop.minilb AAAA fd00:10:244:1:0:0:0:5',
        '_http._tcp.web.shop.minilb SRV 0 10 80 10-244-1-5.web.shop.minilb.',
        '10-244-2-6.web.shop.minilb A 10.244.2.6',
      ]),
    );
    expect(texts(journal.snapshot('grafana.sko.ai')!.records)).toEqual(
      expect.arrayContaining(['grafana.sko.ai NS ns.minilb.', 'grafana.sko.ai A 10.244.1.5', 'grafana.sko.ai AAAA fd00:10:244:1:0:0:0:5']),
    );
    // A one-label Ingress wildcard would match any depth on a secondary: not transferred.
    expect(zone.join('\n')).not.toMatch(/apps\.sko\.ai/);
  });
});

describe('snapshots after a change', () => {
  it('are built in turns, so the event loop (DNS answers) runs while a large zone is listed', async () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    for (let s = 0; s < 2000; s++) {
      index.upsert(service('bulk', `svc-${s}`));
      index.upsert(slice('bulk', `svc-${s}-v4`, `svc-${s}`, 'IPv4', [{ ip: `10.1.${s >> 8}.${s & 255}` }]));
    }
    const journal = journalOf(index, 100_000);
    const first = journal.snapshot('minilb')!.serial;
    index.upsert(slice('bulk', 'svc-0-v4', 'svc-0', 'IPv4', [{ ip: '10.9.9.9' }]));
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const changed = await journal.refreshInTurns();
    clearInterval(ticker);
    expect(changed).toEqual(['minilb']);
    expect(turns).toBeGreaterThan(3);
    expect(journal.incremental('minilb', first)).toMatchObject({ kind: 'differences' });
  });
});

describe('the IXFR journal', () => {
  it('answers the differences since the secondary\'s serial, or the whole zone when it does not reach back', () => {
    const index = cluster();
    const journal = journalOf(index);
    const first = journal.snapshot('minilb')!.serial;
    index.upsert(slice('shop', 'web-v4', 'web', 'IPv4', [{ ip: '10.244.1.5' }, { ip: '10.244.3.7' }]));
    expect(journal.refresh()).toEqual(expect.arrayContaining(['minilb', 'grafana.sko.ai', 'shop.example.org']));
    const second = journal.snapshot('minilb')!.serial;
    expect(serialNewer(second, first)).toBe(true);

    const answer = journal.incremental('minilb', first)!;
    expect(answer.kind).toBe('differences');
    const sequence = texts(ixfrRecords(answer));
    const soa = (serial: number) => expect.stringMatching(new RegExp(`^minilb SOA .* ${serial} `));
    expect(sequence).toEqual([
      soa(second),
      soa(first),
      '10-244-2-6.web.shop.minilb A 10.244.2.6',
      '_http._tcp.web.shop.minilb SRV 0 10 80 10-244-2-6.web.shop.minilb.',
      'web.shop.minilb A 10.244.2.6',
      soa(second),
      '10-244-3-7.web.shop.minilb A 10.244.3.7',
      '_http._tcp.web.shop.minilb SRV 0 10 80 10-244-3-7.web.shop.minilb.',
      'web.shop.minilb A 10.244.3.7',
      soa(second),
    ]);
    expect(journal.incremental('minilb', second)!.kind).toBe('up-to-date');
    expect(journal.incremental('minilb', first - 100)!.kind).toBe('full');
  });

  it('stays within its record bound, dropping the oldest differences first', () => {
    const index = cluster();
    const journal = journalOf(index, 40);
    const serials = [journal.snapshot('minilb')!.serial];
    for (let i = 10; i < 30; i++) {
      index.upsert(slice('shop', 'web-v4', 'web', 'IPv4', [{ ip: `10.244.9.${i}` }]));
      journal.refresh();
      serials.push(journal.snapshot('minilb')!.serial);
    }
    expect(journal.incremental('minilb', serials[0]!)!.kind).toBe('full');
    expect(journal.incremental('minilb', serials.at(-3)!)!.kind).toBe('differences');
  });
});

describe('transfer messages', () => {
  it('split a large zone into messages under 64 KB that dns-packet decodes, question only in the first', () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    for (let s = 0; s < 40; s++) {
      index.upsert(service('bulk', `svc-${s}`));
      index.upsert(slice('bulk', `svc-${s}-v4`, `svc-${s}`, 'IPv4', Array.from({ length: 100 }, (_, i) => ({ ip: `10.${s}.${i >> 8}.${i & 255}` }))));
    }
    const journal = journalOf(index);
    const snapshot = journal.snapshot('minilb')!;
    const question = Buffer.from('066d696e696c620000fc0001', 'hex');
    const messages = [...transferMessages({ id: 7, question, rd: false }, axfrRecords(snapshot), 100)];
    expect(messages.length).toBeGreaterThan(1);
    let records = 0;
    for (const [i, message] of messages.entries()) {
      expect(message.length).toBeLessThanOrEqual(65535 - 100);
      const decoded = decode(message);
      expect(decoded.id).toBe(7);
      expect(decoded.questions).toHaveLength(i === 0 ? 1 : 0);
      records += decoded.answers!.length;
    }
    expect(records).toBe(snapshot.records.length + 1);
  });

  it('decode every record back to the data its text was made from', () => {
    const snapshot = journalOf(cluster()).snapshot('minilb')!;
    for (const record of snapshot.records) expect(() => recordData(record)).not.toThrow();
    const srv = snapshot.records.find((r) => r.key.includes(' SRV '))!;
    expect(recordData(srv)).toMatchObject({ priority: 0, weight: 10, port: 80, target: expect.stringMatching(/^10-244-\d-\d\.web\.shop\.minilb$/) });
    const aaaa = snapshot.records.find((r) => r.key.includes(' AAAA '))!;
    expect([...(recordData(aaaa) as { address: Uint8Array }).address]).toEqual([0xfd, 0, 0, 0x10, 2, 0x44, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5]);
  });
});
