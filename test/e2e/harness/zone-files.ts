// Zone files for a reference server (Knot) from the same manifests minilb serves: what the
// record index answers, written the way an operator would write it by hand. The minilb zone
// holds every in-zone name; each hostname served outside it is a zone of its own (minilb
// answers SOA and NS there), and so is each wildcard's base outside the zone.
import { readManifests, RecordIndex } from 'minilb-server';

export interface ZoneFile {
  origin: string; // no trailing dot
  text: string;
}

export interface ZoneOptions {
  zone: string; // minilb's -domain
  ttl: number; // minilb's -ttl, also its negative TTL
  // minilb's SOA values, read from it: serial and timers.
  soa: { serial: number; refresh: number; retry: number; expire: number; minimum: number };
  nameServerAddresses: string[]; // minilb's -ns-address
}

export interface ZonesFromManifests {
  zones: ZoneFile[];
  names: string[]; // every name that has records, in the zone and out of it
  wildcards: string[]; // the bases of wildcard claims
}

export async function zoneFilesFromManifests(paths: string[], options: ZoneOptions): Promise<ZonesFromManifests> {
  const index = new RecordIndex({ zone: options.zone, lbClass: 'minilb' });
  index.replaceAll(await readManifests(paths));
  const { zone, ttl } = options;
  const inZone = (name: string) => name === zone || name.endsWith(`.${zone}`);
  const zones = new Map<string, string[]>();
  const zoneOf = (origin: string): string[] => {
    let lines = zones.get(origin);
    if (!lines) {
      lines = [
        `$ORIGIN ${origin}.`,
        `@ ${ttl} IN SOA ns.${zone}. hostmaster.${zone}. ${options.soa.serial} ${options.soa.refresh} ${options.soa.retry} ${options.soa.expire} ${options.soa.minimum}`,
        `@ ${ttl} IN NS ns.${zone}.`,
      ];
      zones.set(origin, lines);
    }
    return lines;
  };
  const minilbZone = zoneOf(zone);
  for (const address of options.nameServerAddresses) minilbZone.push(`ns.${zone}. ${ttl} IN ${address.includes(':') ? 'AAAA' : 'A'} ${address}`);

  // Every name that has records: claimed names, and for each Service its SRV names and their
  // per-endpoint targets.
  const names = new Set<string>();
  const wildcards: string[] = [];
  for (const claimed of index.claimedNames()) {
    if (claimed.startsWith('*.')) wildcards.push(claimed.slice(2));
    else names.add(claimed);
  }
  for (const service of index.list('Service')) {
    if (!index.isEligible(service)) continue;
    const own = `${service.meta.name}.${service.meta.namespace}.${zone}`;
    for (const port of index.endpointsOf(service.meta.namespace, service.meta.name)?.ports ?? []) {
      const srvName = `_${port.name}._${port.protocol.toLowerCase()}.${own}`;
      names.add(srvName);
      const lookup = index.lookup(srvName);
      if (lookup.kind === 'found') for (const srv of lookup.answers.srv) names.add(srv.target);
    }
  }

  const write = (lines: string[], owner: string, answersOf: string) => {
    const lookup = index.lookup(answersOf);
    if (lookup.kind !== 'found') return;
    const { a, aaaa, cname, srv } = lookup.answers;
    if (cname) lines.push(`${owner} ${ttl} IN CNAME ${cname}.`);
    for (const ip of a) lines.push(`${owner} ${ttl} IN A ${ip}`);
    for (const ip of aaaa) lines.push(`${owner} ${ttl} IN AAAA ${ip}`);
    for (const s of srv) lines.push(`${owner} ${ttl} IN SRV ${s.priority} ${s.weight} ${s.port} ${s.target}.`);
  };
  for (const name of [...names].sort()) {
    if (inZone(name)) write(minilbZone, `${name}.`, name);
    else write(zoneOf(name), '@', name);
  }
  // A wildcard's records are what any name it matches answers; ask for one.
  for (const base of wildcards) {
    const probe = `wildcard-probe.${base}`;
    write(inZone(base) ? minilbZone : zoneOf(base), `*.${base}.`, probe);
  }
  return {
    zones: [...zones].map(([origin, lines]) => ({ origin, text: `${lines.join('\n')}\n` })),
    names: [...names].sort(),
    wildcards,
  };
}
