// `minilb inspect <hostname>`: prints what a name resolves to and why; exit 0 when it resolves
// (and, with --dns, the live answer matches), 1 when it does not.

import type { Argv } from 'yargs';
import { parseHostname } from 'minilb-server';
import { clusterOptions, clusterSource, zoneSettings, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { exitCodes } from '../exit-codes.js';
import { dnsServerFlag, httpUrlFlag } from '../flags/address-flags.js';
import type { CliCommand } from '../flags/cli-command.js';
import { oneOf, single, usage } from '../flags/flag-values.js';
import { inspectHostname } from './inspect-hostname.js';
import { formatInspectReport } from './inspect-text.js';

export interface InspectArgs extends ClusterArgs {
  hostname: string;
  namespace?: string | undefined;
  dns?: string | undefined;
  api?: string | undefined;
  output?: string | undefined;
}

// `inspect web -n shop` is kubectl's way of naming things: the Service web in namespace shop,
// which minilb serves as web.shop.<domain>.
function hostnameToInspect(args: InspectArgs, domain: string): string {
  const raw = single('<hostname>', args.hostname) ?? usage('inspect needs a hostname (example: minilb inspect web.shop.minilb)');
  const namespace = single('--namespace', args.namespace);
  let name = raw;
  if (namespace !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) usage(`--namespace ${namespace}: not a Kubernetes namespace name`);
    if (raw.includes('.')) usage(`-n/--namespace ${namespace} names a Service's namespace: give the bare Service name, not ${raw}`);
    name = `${raw}.${namespace}.${domain}`;
  }
  const parsed = parseHostname(name);
  if (!parsed.ok) usage(`${JSON.stringify(name)} is not a valid hostname: ${parsed.reason}`);
  return name;
}

export const inspectCommand: CliCommand<InspectArgs> = {
  command: 'inspect <hostname>',
  describe: 'explain what a hostname resolves to and why',
  builder: (y: Argv) =>
    clusterOptions(y)
      .positional('hostname', { type: 'string', describe: 'e.g. web.shop.minilb or paperless.example.com (or a Service name with -n)' })
      .option('namespace', { alias: 'n', type: 'string', describe: 'the hostname is a Service name in this namespace (<service>.<namespace>.<domain>)' })
      .option('dns', { type: 'string', describe: 'also ask this minilb (host:port) and compare its answer' })
      .option('api', { type: 'string', describe: "read a running minilb's /v1/explain (http://host:port of its -explain listener, 127.0.0.1:8082 by default: kubectl port-forward to it) instead of the cluster" })
      .option('output', { alias: 'o', type: 'string', describe: 'output format: text or json (default: text)' })
      .example('$0 inspect paperless.sko.ai --manifests examples/demo-cluster.yaml', 'explain from manifest files')
      .example('$0 inspect web.shop.minilb --dns 192.168.1.31:53', 'compare with the live server')
      .epilogue('Exit status: 0 resolves as expected, 1 does not resolve or the live answer differs, 2 bad flags, 3 cluster or server unreadable.') as unknown as Argv<InspectArgs>,
  prepare: (args) => {
    const source = clusterSource(args);
    const zone = zoneSettings(args);
    const name = hostnameToInspect(args, zone.domain);
    const output = oneOf('--output', single('--output', args.output), ['text', 'json'] as const) ?? 'text';
    const dns = dnsServerFlag('--dns', args.dns);
    const api = httpUrlFlag('--api', args.api);
    if (api && (source.manifests || source.kubeconfig || source.context)) {
      usage('--api reads a running minilb instead of the cluster: leave out --manifests, --kubeconfig and --context');
    }
    return {
      notes: [],
      run: async () => {
        const objects = api ? undefined : await readClusterObjects(source);
        const report = await inspectHostname({ name, ...zone, objects, api, dns });
        process.stdout.write(output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
        return report.ok ? exitCodes.ok : exitCodes.failure;
      },
    };
  },
};
