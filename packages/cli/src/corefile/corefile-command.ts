// `minilb corefile`: prints the CoreDNS server block that forwards minilb's names to it.

import { isIP } from 'node:net';
import type { Argv } from 'yargs';
import { parseHostname } from 'minilb-server';
import { clusterOptions, clusterSource, zoneSettings, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { exitCodes } from '../exit-codes.js';
import { dnsServerFlag } from '../flags/address-flags.js';
import type { CliCommand } from '../flags/cli-command.js';
import { oneOf, several, single, usage } from '../flags/flag-values.js';
import { parseServerAddress } from '../inspect/live-dns-query.js';
import { corefileStanza, forwardedZones } from './corefile-stanza.js';

export interface CorefileArgs extends ClusterArgs {
  to?: string | undefined;
  zone?: string[] | undefined;
  output?: string | undefined;
}

export const corefileCommand: CliCommand<CorefileArgs> = {
  command: 'corefile',
  describe: 'print the CoreDNS server block that forwards the minilb zone and its hostnames to minilb',
  builder: (y: Argv) =>
    clusterOptions(y)
      .option('to', { type: 'string', describe: 'where minilb listens, host:port (default: 127.0.0.1:5353, the sidecar)' })
      .option('zone', { type: 'array', string: true, describe: 'also forward this whole domain (e.g. example.com), repeatable' })
      .option('output', { alias: 'o', type: 'string', describe: 'output format: corefile, or json for the zones and target (default: corefile)' })
      .example('$0 corefile --to 127.0.0.1:5353', 'the block for a minilb sidecar next to CoreDNS')
      .epilogue('Exit status: 0 printed, 2 bad flags, 3 cluster unreadable.') as unknown as Argv<CorefileArgs>,
  prepare: (args) => {
    const source = clusterSource(args);
    const zone = zoneSettings(args);
    // CoreDNS's forward takes an IP address: a name here would be a second lookup, or a typo.
    const to = dnsServerFlag('--to', args.to, { portRequired: true }) ?? '127.0.0.1:5353';
    if (isIP(parseServerAddress(to).host) === 0) usage(`--to ${to}: give minilb's IP address and port (example: 127.0.0.1:5353)`);
    const extraZones = (several('--zone', args.zone, 'a domain name') ?? []).map((z) => {
      const parsed = parseHostname(z);
      if (!parsed.ok || parsed.wildcard) usage(`--zone ${z}: ${parsed.ok ? 'give the domain without "*."' : parsed.reason}`);
      return parsed.name;
    });
    const output = oneOf('--output', single('--output', args.output), ['corefile', 'json'] as const) ?? 'corefile';
    return {
      notes: [],
      run: async () => {
        const objects = await readClusterObjects(source);
        const options = { ...zone, to, objects, extraZones };
        process.stdout.write(
          output === 'json' ? `${JSON.stringify({ to, zones: forwardedZones(options) }, null, 2)}\n` : corefileStanza(options),
        );
        return exitCodes.ok;
      },
    };
  },
};
