// `minilb doctor`: checks the prerequisites minilb relies on and says what to fix.
// Exit status 0 nothing wrong, 1 findings, 2 something could not be checked.

import type { Argv } from 'yargs';
import type { Rejection } from 'minilb-server';
import { clusterOptions, clusterSource, zoneSettings, type ClusterArgs, type ZoneSettings } from '../cluster/cluster-options.js';
import { readClusterObjects, type ClusterSource } from '../cluster/read-cluster.js';
import { dnsServerFlag, httpUrlFlag } from '../flags/address-flags.js';
import type { CliCommand } from '../flags/cli-command.js';
import { numberFlag, oneOf, several, single, usage } from '../flags/flag-values.js';
import { routerKinds, type RouterKind } from '../routes/router/router-driver.js';
import { sshFlags, sshSettings, type SshArgs, type SshSettings } from '../routes/router/ssh-flags.js';
import { clusterFindings, drainNotes } from './cluster-findings.js';
import { checkDnsServer } from './dns-check.js';
import { checkEndpointHealth } from './health-check.js';
import { doctorExitCode, formatDoctorReport, type DoctorReport } from './doctor-report.js';
import { checkRouter } from './router-check.js';

export interface DoctorArgs extends ClusterArgs, SshArgs {
  dns?: string | undefined;
  api?: string | undefined;
  router?: string | undefined;
  O?: string[] | undefined; // the old spelling of --ssh-option
  proto?: number | string | undefined;
  output?: string | undefined;
}

export interface DoctorOptions {
  source: ClusterSource;
  zone: ZoneSettings;
  router: { ssh: SshSettings; kind: RouterKind | 'auto'; proto: number } | undefined;
  dns: string | undefined;
  api: string | undefined;
  output: 'text' | 'json';
}

// doctor named the router `--router ssh://host` and its options `-O` before `routes` and
// doctor shared --ssh/--ssh-option; those spellings still work, with a note.
export function doctorOptions(args: DoctorArgs, notes: string[] = []): DoctorOptions {
  const source = clusterSource(args);
  const zone = zoneSettings(args);
  let router = single('--router', args.router);
  let ssh = single('--ssh', args.ssh);
  if (router !== undefined && !(routerKinds as readonly string[]).includes(router) && router !== 'auto') {
    if (ssh !== undefined) usage(`--router ${router}: give the router's address once, as --ssh`);
    notes.push(`--router ${router} is deprecated for the router's address: write --ssh ${router.replace(/^ssh:\/\//, '')}`);
    ssh = router;
    router = undefined;
  }
  const legacyOptions = several('-O', args.O, 'an ssh option as Key=Value');
  if (legacyOptions) notes.push('-O is deprecated: write --ssh-option Key=Value');
  const sshOption = legacyOptions ? [...(args.sshOption ?? []), ...legacyOptions] : args.sshOption;
  const proto = numberFlag('--proto', args.proto, { min: 5, max: 255, integer: true, expect: 'a route protocol number from 5 to 255 (250 by default)' });
  if (ssh === undefined) {
    if (router !== undefined) usage('--router names the kind of router checked with --ssh: add --ssh [user@]host[:port]');
    if (sshOption !== undefined) usage('--ssh-option only applies with --ssh');
    if (args.sshTimeout !== undefined) usage('--ssh-timeout only applies with --ssh');
    if (proto !== undefined) usage('--proto only applies with --ssh');
  }
  const output = oneOf('--output', single('--output', args.output), ['text', 'json'] as const) ?? 'text';
  return {
    source,
    zone,
    router:
      ssh === undefined
        ? undefined
        : {
            ssh: sshSettings({ ...args, sshOption }, ssh),
            kind: (router ?? 'auto') as RouterKind | 'auto',
            proto: proto ?? 250,
          },
    dns: dnsServerFlag('--dns', args.dns),
    api: httpUrlFlag('--api', args.api),
    output,
  };
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const report: DoctorReport = { findings: [], notes: [], unchecked: [] };
  let objects;
  try {
    const rejections: Rejection[] = [];
    objects = await readClusterObjects(opts.source, undefined, rejections);
    report.findings.push(...clusterFindings(objects, opts.zone, rejections));
    report.notes.push(...drainNotes(objects, opts.zone));
  } catch (err) {
    report.unchecked.push(`the cluster: ${(err as Error).message}`);
  }
  if (opts.router && objects) {
    try {
      report.findings.push(...(await checkRouter(opts.router.ssh, objects, { kind: opts.router.kind, proto: opts.router.proto })));
    } catch (err) {
      report.unchecked.push(`the router ${opts.router.ssh.text}: ${(err as Error).message}`);
    }
  }
  if (opts.api) {
    try {
      const health = await checkEndpointHealth(opts.api);
      report.findings.push(...health.findings);
      report.notes.push(...health.notes);
    } catch (err) {
      report.unchecked.push(`the health checks of ${opts.api}: ${(err as Error).message}`);
    }
  }
  if (opts.dns) {
    const dns = await checkDnsServer(opts.dns, opts.zone.domain);
    report.findings.push(...dns.findings);
    report.notes.push(...dns.notes);
  }
  return report;
}

export const doctorCommand: CliCommand<DoctorArgs> = {
  command: 'doctor',
  describe: 'check the cluster, the router and the DNS server against what minilb needs',
  builder: (y: Argv) =>
    sshFlags(clusterOptions(y), 'also check the routes on this router, [user@]host[:port] (read-only)')
      .option('router', { type: 'string', describe: 'kind of router: linux, openwrt or auto (default: auto)', group: 'Router:' })
      .option('O', { type: 'array', string: true, hidden: true })
      .option('proto', { type: 'string', describe: 'route protocol number of minilb routes (default: 250)', group: 'Router:' })
      .option('dns', { type: 'string', describe: 'also check that this minilb (host:port) answers for its zone over UDP and TCP' })
      .option('api', { type: 'string', describe: "also show what this minilb's health checks see (http://host:port, its /v1/endpoint-health)" })
      .option('output', { alias: 'o', type: 'string', describe: 'output format: text or json (default: text)' })
      .example('$0 doctor --ssh root@192.168.1.1 --dns 192.168.1.31:53', 'check everything')
      .epilogue('Exit status: 0 nothing wrong, 1 problems found, 2 something could not be checked or a bad flag.') as unknown as Argv<DoctorArgs>,
  prepare: (args) => {
    const notes: string[] = [];
    const opts = doctorOptions(args, notes);
    return {
      notes,
      run: async () => {
        const report = await runDoctor(opts);
        process.stdout.write(opts.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
        return doctorExitCode(report);
      },
    };
  },
};
