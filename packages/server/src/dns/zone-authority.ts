// The zone's own records: the SOA (whose serial follows the index version, and whose TTL is the
// negative-caching TTL resolvers read), the apex NS, `ns.<zone>`, and that name's addresses.

import { isIPv4, isIPv6 } from 'node:net';
import type { Answers } from '../index/name-lookup.js';
import { RecordType } from './protocol-numbers.js';
import type { RecordData } from './response-writer.js';

export interface ZoneAuthority {
  readonly zone: string;
  readonly nameServer: string;
  readonly nameServerAnswers: Answers; // what ns.<zone> answers: the -ns-address addresses
  readonly negativeTtl: number;
  soa(indexVersion: number): RecordData & { type: typeof RecordType.SOA };
  isInZone(name: string): boolean;
}

export interface SoaTimers {
  refresh: number; // seconds
  retry: number;
  expire: number;
}

// For a zone that changes whenever a pod does: secondaries hear of changes by NOTIFY, and a
// missed one is caught within a minute by the cheap SOA poll; an unreachable minilb leaves them
// answering the last copy for a week (the router's names outlive a long cluster outage).
export const defaultSoaTimers: SoaTimers = { refresh: 60, retry: 10, expire: 604_800 };

// The serial is the index version: the Unix time of the last change, at least one more than
// before (`minilb doctor` reads it as the records' age, secondaries compare it).
export function createZoneAuthority(
  zone: string,
  negativeTtl: number,
  nameServerAddresses: readonly string[] = [],
  timers: SoaTimers = defaultSoaTimers,
): ZoneAuthority {
  const nameServer = zone === '' ? 'ns' : `ns.${zone}`;
  const hostmaster = zone === '' ? 'hostmaster' : `hostmaster.${zone}`;
  const suffix = `.${zone}`;
  return {
    zone,
    nameServer,
    nameServerAnswers: {
      a: nameServerAddresses.filter((address) => isIPv4(address)),
      aaaa: nameServerAddresses.filter((address) => isIPv6(address)),
      cname: undefined,
      srv: [],
    },
    negativeTtl,
    soa: (indexVersion) => ({
      type: RecordType.SOA,
      mname: nameServer,
      rname: hostmaster,
      serial: indexVersion >>> 0,
      refresh: timers.refresh,
      retry: timers.retry,
      expire: timers.expire,
      minimum: negativeTtl,
    }),
    isInZone: (name) => zone === '' || name === zone || name.endsWith(suffix),
  };
}
