// `minilb doctor`: checks the prerequisites minilb relies on and says what to fix.
// Exit status 0 nothing wrong, 1 findings, 2 something could not be checked.

import type { Argv, CommandModule } from 'yargs';
import { clusterOptions, clusterSource, type ClusterArgs } from '../cluster/cluster-options.js';
import { readClusterObjects } from '../cluster/read-cluster.js';
import { clusterFindings, drainNotes } from './cluster-findings.js';
import { checkDnsServer } from './dns-check.js';
import { doctorExitCode, formatDoctorReport, type DoctorReport } from './doctor-report.js';
import { checkRouter } from './router-check.js';

interface DoctorArgs extends ClusterArgs {
  dns?: string | undefined;
  router?: string | undefined;
  sshOption?: string[] | undefined;
  proto?: number | undefined;
  output?: string | undefined;
}

export async function runDoctor(args: DoctorArgs): Promise<DoctorReport> {
  const report: DoctorReport = { findings: [], notes: [], unchecked: [] };
  const domain = args.domain ?? 'minilb';
  let objects;
  try {
    objects = await readClusterObjects(clusterSource(args));
    report.findings.push(...clusterFindings(objects, { domain, lbClass: args.lbClass ?? 'minilb' }));
    report.notes.push(...drainNotes(objects, { domain, lbClass: args.lbClass ?? 'minilb' }));
  } catch (err) {
    report.unchecked.push(`the cluster: ${(err as Error).message}`);
  }
  if (args.router && objects) {
    try {
      report.findings.push(...(await checkRouter(args.router, objects, { sshOptions: args.sshOption ?? [], proto: args.proto ?? 250 })));
    } catch (err) {
      report.unchecked.push(`the router ${args.router}: ${(err as Error).message}`);
    }
  }
  if (args.dns) {
    const dns = await checkDnsServer(args.dns, domain);
    report.findings.push(...dns.findings);
    report.notes.push(...dns.notes);
  }
  return report;
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'check the cluster, the router and the DNS server against what minilb needs',
  builder: (y: Argv) =>
    clusterOptions(y)
      .option('router', { type: 'string', describe: 'also check the routes on this router: ssh://[user@]host[:port] (read-only)' })
      .option('ssh-option', { alias: 'O', type: 'array', string: true, describe: 'ssh -o option for --router, repeatable' })
      .option('proto', { type: 'number', describe: 'route protocol number of minilb routes (default: 250)' })
      .option('dns', { type: 'string', describe: 'also check that this minilb (host:port) answers for its zone over UDP and TCP' })
      .option('output', { alias: 'o', type: 'string', choices: ['text', 'json'], default: 'text', describe: 'output format' })
      .example('$0 doctor --router ssh://root@192.168.1.1 --dns 192.168.1.31:53', 'check everything')
      .epilogue('Exit status: 0 nothing wrong, 1 problems found, 2 something could not be checked.') as unknown as Argv<DoctorArgs>,
  handler: async (args) => {
    const report = await runDoctor(args);
    process.stdout.write(args.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
    process.exitCode = doctorExitCode(report);
  },
};
