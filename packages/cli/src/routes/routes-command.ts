// `minilb routes`: prints the podCIDR routes a LAN router needs in one of several formats, or
// applies them to a Linux or OpenWrt router over the system ssh (--apply, --dry-run, --watch).

import type { Argv } from 'yargs';
import { clusterOptions } from '../cluster/cluster-options.js';
import { readNodes } from '../cluster/read-cluster.js';
import { desiredRoutesWithWarnings } from './desired-routes.js';
import { CliError, exitCodes, type ExitCode } from '../exit-codes.js';
import type { CliCommand } from '../flags/cli-command.js';
import { formatRoutes, routeFormats } from './formats/route-format.js';
import { canAsk, terminalConfirm } from './router/confirm.js';
import { sshFlags } from './router/ssh-flags.js';
import { sshRunner } from './router/ssh-session.js';
import { syncRouter } from './router/sync-router.js';
import { routesOptions, type ApplyOptions, type RoutesArgs, type RoutesOptions } from './routes-options.js';
import { watchRoutes } from './watch-routes.js';

export interface Io {
  out: (text: string) => void; // stdout, whole lines with their newline
  err: (text: string) => void; // stderr, whole lines with their newline
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function builder(y: Argv): Argv<RoutesArgs> {
  return sshFlags(clusterOptions(y.usage(
      '$0 routes [-o FORMAT] [--manifests PATH... | --kubeconfig FILE]\n' +
        '$0 routes --apply --ssh [user@]host[:port] [--router linux|openwrt|auto] [--yes] [--dry-run] [--watch]',
    ), { zone: false }), '[user@]host[:port] of the router (the system ssh and its config are used)')
    .option('output', { alias: 'o', type: 'string', describe: `output format: ${routeFormats.join(', ')} (default: ip)`, group: 'Print:' })
    .option('format', { type: 'string', hidden: true })
    .option('default-gateway', { type: 'string', describe: 'the LAN router IPv4, sent as 0.0.0.0/0 in the option 121 formats', group: 'Print:' })
    .option('uci-interface', { type: 'string', describe: 'OpenWrt interface of the next hops (default: lan)', group: 'Print:' })
    .option('proto', { type: 'string', describe: 'route protocol number that marks minilb routes (default: 250)', group: 'Print:' })
    .option('apply', { type: 'boolean', describe: 'change the router to match the cluster', group: 'Router:' })
    .option('dry-run', { type: 'boolean', describe: 'read the router and print the plan; change nothing', group: 'Router:' })
    .option('watch', { type: 'boolean', describe: 'keep the router in sync until stopped (needs --yes)', group: 'Router:' })
    .option('router', { type: 'string', describe: 'kind of router: linux, openwrt or auto (default: auto, by /etc/openwrt_release)', group: 'Router:' })
    .option('yes', { alias: 'y', type: 'boolean', describe: 'apply without asking', group: 'Router:' })
    .option('prune', { type: 'boolean', describe: 'remove minilb routes of nodes that are gone (default: on; --no-prune)', group: 'Router:' })
    .option('allow-empty', { type: 'boolean', describe: 'let a cluster without routes remove every minilb route', group: 'Router:' })
    .option('interval', { type: 'string', describe: 'seconds between --watch rounds (default: 30)', group: 'Router:' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'also list routes already in place', group: 'Router:' })
    .example('$0 routes -o dnsmasq --default-gateway 192.168.1.1', 'DHCP option 121 for dnsmasq')
    .example('$0 routes --apply --ssh root@192.168.1.1 --dry-run', 'show what would change on the router')
    .example('$0 routes --watch --yes --ssh root@openwrt.lan --ssh-option IdentityFile=/keys/router', 'keep an OpenWrt router in sync')
    .epilogue(
      'Exit status: 0 done, 2 bad flags, 3 cluster unreadable, 4 ssh failed, 5 refused (nothing changed), ' +
        '6 some changes did not take, 7 foreign routes left alone, 8 not confirmed.',
    ) as unknown as Argv<RoutesArgs>;
}

function lineWriter(write: (text: string) => void): (line: string) => void {
  return (line) => write(`${line}\n`);
}

async function applyRoutes(opts: ApplyOptions, io: Io): Promise<ExitCode> {
  const runner = sshRunner({ target: opts.ssh, options: opts.sshOptions, timeoutMs: opts.sshTimeoutMs });
  const sync = {
    runner,
    target: opts.sshText,
    router: opts.router,
    config: { proto: opts.proto, uciInterface: opts.uciInterface },
    prune: opts.prune,
    allowEmpty: opts.allowEmpty,
    dryRun: opts.dryRun,
    verbose: opts.verbose,
  };
  if (opts.mode === 'watch') {
    const controller = new AbortController();
    const stop = (): void => {
      // The first signal lets the round in flight finish (it may be mid-apply); a second one ends it now.
      if (controller.signal.aborted) process.exit(130);
      io.err('stopping after the current round (signal again to stop now)\n');
      controller.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      return await watchRoutes({
        readNodes: () => readNodes(opts.source),
        sync,
        intervalMs: opts.intervalMs,
        maxBackoffMs: 300_000,
        signal: controller.signal,
        print: lineWriter(io.out),
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
  const { routes, problems } = desiredRoutesWithWarnings(await readNodes(opts.source), lineWriter(io.err));
  let confirm;
  if (!opts.yes && !opts.dryRun) {
    if (!canAsk()) {
      // Asked only when the plan has changes, so a router already in sync still exits 0.
      confirm = async (): Promise<boolean> => {
        throw new CliError(
          'Not confirmed: there is no terminal to ask on; pass --yes to apply (or --dry-run to only see the plan). Nothing was changed.',
          exitCodes.notConfirmed,
        );
      };
    } else {
      confirm = terminalConfirm;
    }
  }
  const result = await syncRouter(routes, { ...sync, confirm, out: lineWriter(io.out), err: lineWriter(io.err) });
  return result.exitCode;
}

export async function runRoutes(args: RoutesArgs | RoutesOptions, io: Io = processIo): Promise<ExitCode> {
  const opts = 'mode' in args ? args : routesOptions(args);
  if (opts.mode !== 'print') return applyRoutes(opts, io);
  const { routes, problems } = desiredRoutesWithWarnings(await readNodes(opts.source), lineWriter(io.err));
  const { text, notes } = formatRoutes(opts.format, { routes, problems, ...opts });
  io.out(text);
  for (const note of notes) io.err(`note: ${note}\n`);
  if (routes.length === 0) io.err('note: no node has a podCIDR with an InternalIP of its family: there are no routes to print\n');
  return exitCodes.ok;
}

export const routesCommand: CliCommand<RoutesArgs> = {
  command: 'routes',
  describe: 'print or apply the podCIDR routes your LAN router needs',
  builder,
  prepare: (args) => {
    const notes: string[] = [];
    const opts = routesOptions(args, notes);
    return { notes, run: () => runRoutes(opts) };
  },
};
