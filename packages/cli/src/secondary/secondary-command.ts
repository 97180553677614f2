// `minilb secondary`: prints the stanza that makes Knot, BIND, Unbound or PowerDNS on the router
// a secondary of minilb for every zone it serves (the minilb zone and each served hostname).

import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { parseTsigKeyFile, RecordIndex, transferZoneNames } from 'minilb-server';
import { clusterOptions, clusterSource, zoneSettings, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { exitCodes } from '../exit-codes.js';
import { dnsServerFlag } from '../flags/address-flags.js';
import type { CliCommand } from '../flags/cli-command.js';
import { oneOf, several, single, usage } from '../flags/flag-values.js';
import { parseServerAddress } from '../inspect/live-dns-query.js';
import { secondaryFormats, secondaryStanza, type SecondaryKey } from './secondary-stanza.js';

export interface SecondaryArgs extends ClusterArgs {
  format?: string | undefined;
  primary?: string | undefined;
  tsigKey?: string | undefined;
  notifyFrom?: string[] | undefined;
}

export const secondaryCommand: CliCommand<SecondaryArgs> = {
  command: 'secondary',
  describe: "print the configuration that makes the router's Knot, BIND, Unbound or PowerDNS a secondary of minilb",
  builder: (y: Argv) =>
    clusterOptions(y)
      .option('format', { type: 'string', describe: `the secondary DNS server: ${secondaryFormats.join(', ')} (default: knot)` })
      .option('primary', { type: 'string', describe: 'where minilb answers zone transfers, host:port (e.g. 192.168.1.31:30053)' })
      .option('tsig-key', { type: 'string', describe: 'the TSIG key file minilb reads (-tsig-key), so the stanza carries the same key' })
      .option('notify-from', { type: 'array', string: true, describe: "networks minilb's NOTIFY comes from without a key (default: the nodes' podCIDRs)" })
      .example('$0 secondary --format knot --primary 192.168.1.31:30053 --tsig-key minilb-transfer.key', 'Knot on the router')
      .epilogue('Exit status: 0 printed, 2 bad flags, 3 cluster unreadable.') as unknown as Argv<SecondaryArgs>,
  prepare: (args) => {
    const source = clusterSource(args);
    const zone = zoneSettings(args);
    const format = oneOf('--format', single('--format', args.format), secondaryFormats) ?? 'knot';
    const primaryText = dnsServerFlag('--primary', args.primary, { portRequired: true });
    if (primaryText === undefined) usage('--primary is required: the host:port where minilb answers zone transfers (example: 192.168.1.31:30053)');
    const primary = parseServerAddress(primaryText);
    const keyPath = single('--tsig-key', args.tsigKey);
    const key = keyPath === undefined ? undefined : readKey(keyPath);
    const notifyFrom = several('--notify-from', args.notifyFrom, 'a network (example: 10.244.0.0/16)');
    return {
      notes: [],
      run: async () => {
        const objects = await readClusterObjects(source);
        const index = new RecordIndex({ zone: zone.domain, lbClass: zone.lbClass });
        index.replaceAll(objects);
        const podCidrs = index.list('Node').flatMap((node) => node.podCIDRs);
        process.stdout.write(
          secondaryStanza({
            format,
            primary,
            zones: transferZoneNames(index.zone, index.claimedNames()),
            key,
            notifyFrom: notifyFrom ?? podCidrs,
          }),
        );
        return exitCodes.ok;
      },
    };
  },
};

// Read up front: a missing or malformed key is a bad flag, reported before the cluster is read.
function readKey(path: string): SecondaryKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    usage(`--tsig-key ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const key = parseTsigKeyFile(text, path);
    return { name: key.name, algorithm: key.algorithm, secret: key.secret.toString('base64') };
  } catch (error) {
    usage(`--tsig-key ${(error as Error).message}`);
  }
}
