// The DNS wire numbers minilb reads and writes (RFC 1035, 2782, 3596, 6891, 8482),
// kept in one place so the parser, writer and metrics agree on them.

export const RecordType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

export const RecordClass = { IN: 1, CH: 3 } as const;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16, // extended: the upper 8 bits travel in the OPT record
} as const;

export const Opcode = { QUERY: 0 } as const;

// Header flag bits, as they sit in the 16-bit flags word (bytes 2-3).
export const HeaderFlag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  CD: 0x0010,
} as const;

export const EDNS_DO = 0x8000; // DNSSEC OK, in the OPT record's flags
export const EDNS_TCP_KEEPALIVE = 11; // RFC 7828 option code
export const HEADER_LENGTH = 12;
export const CLASSIC_UDP_PAYLOAD = 512;
// The DNS Flag Day 2020 size: avoids IP fragmentation on any sane path.
export const MAX_EDNS_UDP_PAYLOAD = 1232;
export const MAX_TCP_MESSAGE = 65535;

const typeNames = new Map<number, string>(Object.entries(RecordType).map(([name, value]) => [value, name]));
const rcodeNames = new Map<number, string>(Object.entries(Rcode).map(([name, value]) => [value, name]));

// Metric labels must stay a small fixed set whatever a client sends, so unknown numbers fold into 'other'.
export function typeLabel(qtype: number): string {
  return typeNames.get(qtype) ?? 'other';
}

export function rcodeLabel(rcode: number): string {
  return rcodeNames.get(rcode) ?? 'other';
}
