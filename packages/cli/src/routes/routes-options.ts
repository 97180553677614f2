// Checks the flags of `minilb routes` together and turns them into one typed value; every
// refusal names the flag and what to do, before anything is read or changed.

import { parseIpAddress } from 'minilb-server';
import type { ClusterSource } from '../cluster/read-cluster.js';
import { CliError, exitCodes } from '../exit-codes.js';
import { formatsNeedingDefaultGateway, routeFormats, type RouteFormat } from './formats/route-format.js';
import { routerKinds, type RouterKind } from './router/router-driver.js';
import { parseSshTarget, SshTargetError, type SshTarget } from './router/ssh-target.js';

export interface RoutesArgs {
  manifests?: string[] | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  format?: string | undefined;
  defaultGateway?: string | undefined;
  apply?: boolean | undefined;
  dryRun?: boolean | undefined;
  watch?: boolean | undefined;
  ssh?: string | undefined;
  sshOption?: string[] | undefined;
  sshTimeout?: number | undefined;
  router?: string | undefined;
  yes?: boolean | undefined;
  proto?: number | undefined;
  prune?: boolean | undefined;
  allowEmpty?: boolean | undefined;
  uciInterface?: string | undefined;
  interval?: number | undefined;
  verbose?: boolean | undefined;
}

export interface PrintOptions {
  mode: 'print';
  source: ClusterSource;
  format: RouteFormat;
  defaultGateway: string | undefined;
  uciInterface: string;
  proto: number;
}

export interface ApplyOptions {
  mode: 'apply' | 'watch';
  source: ClusterSource;
  ssh: SshTarget;
  sshText: string;
  sshOptions: string[];
  sshTimeoutMs: number;
  router: RouterKind | 'auto';
  yes: boolean;
  dryRun: boolean;
  proto: number;
  prune: boolean;
  allowEmpty: boolean;
  uciInterface: string;
  intervalMs: number;
  verbose: boolean;
}

export type RoutesOptions = PrintOptions | ApplyOptions;

function usage(message: string): never {
  throw new CliError(message, exitCodes.usage);
}

export function routesOptions(args: RoutesArgs): RoutesOptions {
  const manifests = (args.manifests ?? []).filter((m) => m !== '');
  if (manifests.length > 0 && (args.kubeconfig || args.context)) {
    usage('--manifests reads files and --kubeconfig/--context read a cluster: give one or the other');
  }
  const source: ClusterSource = { manifests: manifests.length > 0 ? manifests : undefined, kubeconfig: args.kubeconfig, context: args.context };

  const proto = args.proto ?? 250;
  // 0-4 are the kernel's own (unspec, redirect, kernel, boot, static): marking with them would
  // claim routes that other tools and people make.
  if (!Number.isInteger(proto) || proto < 5 || proto > 255) usage(`--proto ${args.proto}: give a route protocol number from 5 to 255 (250 by default)`);
  const uciInterface = args.uciInterface ?? 'lan';
  if (!/^[A-Za-z0-9_]+$/.test(uciInterface)) usage(`--uci-interface ${uciInterface}: an OpenWrt interface name has only letters, digits and _`);

  const changesRouter = Boolean(args.apply || args.dryRun || args.watch);
  if (!changesRouter) {
    if (args.ssh) usage('--ssh names the router for --apply, --dry-run or --watch; add one of them');
    for (const flag of ['yes', 'router', 'sshOption', 'allowEmpty'] as const) {
      if (args[flag] !== undefined && !(Array.isArray(args[flag]) && args[flag].length === 0)) {
        usage(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --apply, --dry-run or --watch`);
      }
    }
    const format = (args.format ?? 'ip') as RouteFormat;
    if (!routeFormats.includes(format)) usage(`--format ${args.format}: choose one of ${routeFormats.join(', ')}`);
    let defaultGateway: string | undefined;
    if (args.defaultGateway !== undefined) {
      const gw = parseIpAddress(args.defaultGateway);
      if (!gw || gw.family !== 4) usage(`--default-gateway ${args.defaultGateway}: give the LAN router's IPv4 address`);
      defaultGateway = args.defaultGateway;
    }
    if (formatsNeedingDefaultGateway.has(format) && !defaultGateway) {
      usage(
        `--format ${format} needs --default-gateway <router IPv4>: a client that accepts option 121 ignores the router option, ` +
          'so the default route must be part of it',
      );
    }
    return { mode: 'print', source, format, defaultGateway, uciInterface, proto };
  }

  if (args.format !== undefined) usage('--format prints routes; --apply, --dry-run and --watch change a router: use one or the other');
  if (args.defaultGateway !== undefined) usage('--default-gateway is for the DHCP formats, not for --apply');
  if (!args.ssh) usage('--apply, --dry-run and --watch need --ssh [user@]host[:port]');
  let ssh: SshTarget;
  try {
    ssh = parseSshTarget(args.ssh);
  } catch (err) {
    if (err instanceof SshTargetError) usage(err.message);
    throw err;
  }
  const router = (args.router ?? 'auto') as RouterKind | 'auto';
  if (router !== 'auto' && !routerKinds.includes(router)) usage(`--router ${args.router}: choose linux, openwrt or auto`);
  const sshOptions = args.sshOption ?? [];
  for (const option of sshOptions) {
    if (/[\n\r]/.test(option) || option.startsWith('-')) usage(`-o ${JSON.stringify(option)}: give ssh options as Key=Value`);
  }
  const sshTimeout = args.sshTimeout ?? 60;
  if (!(sshTimeout >= 5)) usage(`--ssh-timeout ${args.sshTimeout}: give at least 5 seconds`);
  const interval = args.interval ?? 30;
  if (!(interval >= 1)) usage(`--interval ${args.interval}: give at least 1 second`);
  if (args.watch && !args.yes && !args.dryRun) {
    usage('--watch changes the router unattended: add --yes (or --dry-run to only print what it would do)');
  }
  return {
    mode: args.watch ? 'watch' : 'apply',
    source,
    ssh,
    sshText: args.ssh,
    sshOptions,
    sshTimeoutMs: sshTimeout * 1000,
    router,
    yes: Boolean(args.yes),
    dryRun: Boolean(args.dryRun),
    proto,
    prune: args.prune ?? true,
    allowEmpty: Boolean(args.allowEmpty),
    uciInterface,
    intervalMs: interval * 1000,
    verbose: Boolean(args.verbose),
  };
}
