// `minilb corefile`: the CoreDNS server block that forwards the minilb zone and every
// hostname minilb serves to the minilb sidecar, in the style of examples/corefile.

import { isInZone, RecordIndex, type ClusterObject } from 'minilb-server';

export interface CorefileOptions {
  domain: string;
  lbClass: string;
  to: string; // host:port of minilb
  objects: ClusterObject[];
  extraZones: string[];
}

// The zones CoreDNS must forward: the minilb zone, each exact hostname outside it, and each
// wildcard's suffix (a CoreDNS zone covers every name below it).
export function forwardedZones(options: Omit<CorefileOptions, 'to'>): string[] {
  const index = new RecordIndex({ zone: options.domain, lbClass: options.lbClass });
  index.replaceAll(options.objects);
  const zones = new Set<string>(options.extraZones.map((z) => z.toLowerCase().replace(/\.$/, '')));
  for (const name of index.claimedNames()) {
    if (!isInZone(name, index.zone)) zones.add(name.replace(/^\*\./, ''));
  }
  // A zone inside another forwarded zone adds nothing.
  const sorted = [...zones].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
  const kept: string[] = [index.zone];
  for (const zone of sorted) if (!kept.some((k) => isInZone(zone, k))) kept.push(zone);
  return [index.zone, ...kept.slice(1).sort()];
}

export function corefileStanza(options: CorefileOptions): string {
  const zones = forwardedZones(options);
  return [
    `# Forward the minilb zone and the hostnames minilb serves to minilb at ${options.to}.`,
    `# Add this server block to your Corefile, above the catch-all ".:53" block.`,
    `${zones.map((z) => `${z}:53`).join(' ')} {`,
    '    errors',
    `    forward . ${options.to} {`,
    '        max_fails 2',
    '        health_check 5s',
    '    }',
    '    # minilb answers with short TTLs so clients follow pods within seconds.',
    '    cache 5',
    '}',
    '',
  ].join('\n');
}
