// Checks the flags of `minilb routes` together and turns them into one typed value; every
// refusal names the flag and what to do, before anything is read or changed.

import { parseIpAddress } from 'minilb-server';
import { clusterSource } from '../cluster/cluster-options.js';
import type { ClusterSource } from '../cluster/read-cluster.js';
import { numberFlag, single, usage } from '../flags/flag-values.js';
import { defaultGatewayProblem, routeFormats, type RouteFormat } from './formats/route-format.js';
import { routerKinds, type RouterKind } from './router/router-driver.js';
import { sshOptionValues, sshTarget, sshTimeoutMs, type SshArgs } from './router/ssh-flags.js';
import type { SshTarget } from './router/ssh-target.js';

export interface RoutesArgs extends SshArgs {
  manifests?: string[] | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  output?: string | string[] | undefined;
  format?: string | undefined; // the old spelling of --output
  defaultGateway?: string | undefined;
  apply?: boolean | undefined;
  dryRun?: boolean | undefined;
  watch?: boolean | undefined;
  router?: string | undefined;
  yes?: boolean | undefined;
  proto?: number | string | undefined;
  prune?: boolean | undefined;
  allowEmpty?: boolean | undefined;
  uciInterface?: string | undefined;
  interval?: number | string | undefined;
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

// `-o` was --ssh-option here before it meant --output in every command. An ssh option always
// has an "=" (Key=Value) and a format never does, so old scripts keep working, with a note.
function splitOutput(args: RoutesArgs, notes: string[]): { format: { flag: string; value: string } | undefined; legacySsh: string[] } {
  const outputs = args.output === undefined ? [] : Array.isArray(args.output) ? args.output.map(String) : [String(args.output)];
  const legacySsh = outputs.filter((o) => o.includes('='));
  if (legacySsh.length > 0) notes.push('-o Key=Value for an ssh option is deprecated: write --ssh-option Key=Value (-o is --output)');
  const formats = outputs.filter((o) => !o.includes('='));
  if (formats.length > 1) usage(`-o/--output was given ${formats.length} times: give it once`);
  if (formats.length === 1 && args.format !== undefined) usage('--format is the old spelling of -o/--output: give one of them');
  if (args.format !== undefined) {
    notes.push('--format is deprecated: write -o/--output');
    return { format: { flag: '--format', value: single('--format', args.format)! }, legacySsh };
  }
  if (formats.length === 1) return { format: { flag: '--output', value: single('--output', formats[0]) ! }, legacySsh };
  return { format: undefined, legacySsh };
}

// `notes` collects deprecation notes, printed only once every flag has been accepted.
export function routesOptions(args: RoutesArgs, notes: string[] = []): RoutesOptions {
  const source = clusterSource(args);
  const { format: formatFlag, legacySsh } = splitOutput(args, notes);
  const sshOptionArgs = legacySsh.length > 0 ? [...(args.sshOption ?? []), ...legacySsh] : args.sshOption;

  // 0-4 are the kernel's own (unspec, redirect, kernel, boot, static): marking with them would
  // claim routes that other tools and people make.
  const proto =
    numberFlag('--proto', args.proto, { min: 5, max: 255, integer: true, expect: 'a route protocol number from 5 to 255 (250 by default)' }) ?? 250;
  const uciInterface = single('--uci-interface', args.uciInterface) ?? 'lan';
  if (!/^[A-Za-z0-9_]+$/.test(uciInterface)) usage(`--uci-interface ${uciInterface}: an OpenWrt interface name has only letters, digits and _`);
  const router = single('--router', args.router);
  const sshText = single('--ssh', args.ssh);
  const interval = numberFlag('--interval', args.interval, { min: 1, expect: 'at least 1 second' });
  const sshTimeout = sshTimeoutMs(args);
  const sshOptions = sshOptionValues(sshOptionArgs);

  const changesRouter = Boolean(args.apply || args.dryRun || args.watch);
  if (!changesRouter) {
    if (sshText) usage('--ssh names the router for --apply, --dry-run or --watch; add one of them');
    const routerOnly: [string, boolean][] = [
      ['--yes', args.yes !== undefined],
      ['--router', router !== undefined],
      ['--ssh-option', sshOptions.length > 0],
      ['--ssh-timeout', args.sshTimeout !== undefined],
      ['--allow-empty', args.allowEmpty !== undefined],
      ['--prune', args.prune !== undefined],
      ['--interval', interval !== undefined],
      ['--verbose', args.verbose !== undefined],
    ];
    for (const [flag, given] of routerOnly) if (given) usage(`${flag} only applies with --apply, --dry-run or --watch`);
    const format = (formatFlag?.value ?? 'ip') as RouteFormat;
    if (!routeFormats.includes(format)) usage(`${formatFlag!.flag} ${formatFlag!.value}: choose one of ${routeFormats.join(', ')}`);
    let defaultGateway: string | undefined;
    const gateway = single('--default-gateway', args.defaultGateway);
    if (gateway !== undefined) {
      const gw = parseIpAddress(gateway);
      if (!gw || gw.family !== 4) usage(`--default-gateway ${gateway}: give the LAN router's IPv4 address`);
      defaultGateway = gateway;
    }
    const gatewayProblem = defaultGatewayProblem(format, defaultGateway, formatFlag?.flag);
    if (gatewayProblem) usage(gatewayProblem);
    return { mode: 'print', source, format, defaultGateway, uciInterface, proto };
  }

  if (formatFlag !== undefined) usage(`${formatFlag.flag} prints routes; --apply, --dry-run and --watch change a router: use one or the other`);
  if (args.defaultGateway !== undefined) usage('--default-gateway is for the DHCP formats, not for --apply');
  if (!sshText) usage('--apply, --dry-run and --watch need --ssh [user@]host[:port]');
  const ssh = sshTarget(sshText);
  const kind = (router ?? 'auto') as RouterKind | 'auto';
  if (kind !== 'auto' && !routerKinds.includes(kind)) usage(`--router ${router}: choose linux, openwrt or auto`);
  if (args.watch && !args.yes && !args.dryRun) {
    usage('--watch changes the router unattended: add --yes (or --dry-run to only print what it would do)');
  }
  return {
    mode: args.watch ? 'watch' : 'apply',
    source,
    ssh,
    sshText,
    sshOptions,
    sshTimeoutMs: sshTimeout,
    router: kind,
    yes: Boolean(args.yes),
    dryRun: Boolean(args.dryRun),
    proto,
    prune: args.prune ?? true,
    allowEmpty: Boolean(args.allowEmpty),
    uciInterface,
    intervalMs: (interval ?? 30) * 1000,
    verbose: Boolean(args.verbose),
  };
}
