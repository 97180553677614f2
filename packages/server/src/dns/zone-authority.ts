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

// No zone transfers are offered, so the serial only tells a human or a monitor when the records
// last changed: the index version is the Unix time of its last change (`minilb doctor` reads it).
export function createZoneAuthority(zone: string, negativeTtl: number, nameServerAddresses: readonly string[] = []): ZoneAuthority {
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
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: negativeTtl,
    }),
    isInZone: (name) => zone === '' || name === zone || name.endsWith(suffix),
  };
}
