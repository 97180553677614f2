// `minilb corefile`: prints the CoreDNS server block that forwards minilb's names to it.

import type { Argv, CommandModule } from 'yargs';
import { clusterOptions, clusterSource, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { corefileStanza } from './corefile-stanza.js';

interface CorefileArgs extends ClusterArgs {
  to?: string | undefined;
  zone?: string[] | undefined;
}

export const corefileCommand: CommandModule<object, CorefileArgs> = {
  command: 'corefile',
  describe: 'print the CoreDNS server block that forwards the minilb zone and its hostnames to minilb',
  builder: (y: Argv) =>
    clusterOptions(y)
      .option('to', { type: 'string', default: '127.0.0.1:5353', describe: 'where minilb listens (the sidecar: 127.0.0.1:5353)' })
      .option('zone', { type: 'array', string: true, describe: 'also forward this whole domain (e.g. example.com), repeatable' })
      .example('$0 corefile --to 127.0.0.1:5353', 'the block for a minilb sidecar next to CoreDNS') as unknown as Argv<CorefileArgs>,
  handler: async (args) => {
    const objects = await readClusterObjects(clusterSource(args));
    process.stdout.write(
      corefileStanza({
        domain: args.domain ?? 'minilb',
        lbClass: args.lbClass ?? 'minilb',
        to: args.to ?? '127.0.0.1:5353',
        objects,
        extraZones: args.zone ?? [],
      }),
    );
  },
};
