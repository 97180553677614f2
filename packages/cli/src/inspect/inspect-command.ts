// `minilb inspect <hostname>`: prints what a name resolves to and why; exit 0 when it resolves
// (and, with --dns, the live answer matches), 1 when it does not.

import type { Argv, CommandModule } from 'yargs';
import { clusterOptions, clusterSource, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { exitCodes } from '../exit-codes.js';
import { inspectHostname } from './inspect-hostname.js';
import { formatInspectReport } from './inspect-text.js';

interface InspectArgs extends ClusterArgs {
  hostname: string;
  dns?: string | undefined;
  api?: string | undefined;
  output?: string | undefined;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <hostname>',
  describe: 'explain what a hostname resolves to and why',
  builder: (y: Argv) =>
    clusterOptions(y)
      .positional('hostname', { type: 'string', demandOption: true, describe: 'e.g. web.shop.minilb or paperless.example.com' })
      .option('dns', { type: 'string', describe: 'also ask this minilb (host:port) and compare its answer' })
      .option('api', { type: 'string', describe: "read a running minilb's /v1/explain (http://host:port) instead of the cluster" })
      .option('output', { alias: 'o', type: 'string', choices: ['text', 'json'], default: 'text', describe: 'output format' })
      .example('$0 inspect paperless.sko.ai --manifests examples/demo-cluster.yaml', 'explain from manifest files')
      .example('$0 inspect web.shop.minilb --dns 192.168.1.31:53', 'compare with the live server')
      .epilogue('Exit status: 0 resolves as expected, 1 does not resolve or the live answer differs, 2 bad flags, 3 cluster or server unreadable.') as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    const objects = args.api ? undefined : await readClusterObjects(clusterSource(args));
    const report = await inspectHostname({
      name: args.hostname,
      domain: args.domain ?? 'minilb',
      lbClass: args.lbClass ?? 'minilb',
      objects,
      api: args.api,
      dns: args.dns,
    });
    process.stdout.write(args.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
    process.exitCode = report.ok ? exitCodes.ok : exitCodes.failure;
  },
};
