// The contract between the record index and the DNS wire layer: what a name resolves to,
// with nothing about packets or sockets.

export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string; // lower-case, no trailing dot
}

export interface Answers {
  a: string[];
  aaaa: string[];
  cname: string | undefined; // set alone: a CNAME excludes every other type at the name
  srv: SrvAnswer[];
}

// A name with no data (NODATA for every type); a fresh object, as callers may fill it.
export function emptyAnswers(): Answers {
  return { a: [], aaaa: [], cname: undefined, srv: [] };
}

// `apex`, outside the zone only: the served hostname above an NXDOMAIN name, whose SOA the
// answer carries; absent, the name itself is the apex (outside the zone) or the zone's apex is.
export type Lookup =
  | { kind: 'found'; answers: Answers } // the name exists (empty lists mean NODATA for that type)
  | { kind: 'nxdomain'; apex?: string } // inside the zone, or below a served hostname: no such name
  | { kind: 'unknown' }; // outside the zone and not claimed by any object

export interface NameIndex {
  readonly zone: string; // the configured domain, lower-case, e.g. 'minilb'
  // Increases whenever any answer may have changed; the record index makes it the Unix time of
  // its last change (at least one more than before), so it doubles as the SOA serial.
  readonly version: number;
  lookup(name: string): Lookup; // name: lower-case, no trailing dot
  onChange(listener: () => void): void;
}
