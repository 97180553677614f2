// The server's flags: Go-style (`-domain=minilb`, `-listen :53`) and GNU-style (`--domain`),
// and MINILB_* environment variables. A bad value stops start-up naming the flag.

import { isIP } from 'node:net';
import yargs, { type Options } from 'yargs';
import { parseDuration } from './durations.js';
import type { CheckMode } from '../health/check-annotation.js';
import type { HealthCheckSettings } from '../health/prober.js';
import { parseListenAddress, parseUpstreamAddress, type HostPort, type UpstreamAddress } from './host-port.js';
import { logLevels, type LogLevel } from './log-levels.js';
import { parseHostname } from '../index/hostnames.js';
import { serverVersion } from '../version.js';
import { parseNetworkList, privateNetworks, type NetworkList } from './network-list.js';
import { readTsigKeyFile, type TsigKey } from '../transfer/tsig.js';
import type { SoaTimers } from '../dns/zone-authority.js';

export interface ServerConfig {
  kubeconfig: string | undefined;
  domain: string;
  listen: HostPort;
  resyncMs: number;
  ttl: number;
  upstream: UpstreamAddress[];
  upstreamTimeoutMs: number;
  nsAddresses: string[]; // the A/AAAA of ns.<zone>, the zone's NS and SOA MNAME
  cnameResolver: 'upstream' | 'system' | 'off'; // who looks up out-of-zone CNAME targets
  health: HostPort | undefined;
  manifests: string[];
  lbClass: string;
  logLevel: LogLevel;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string | undefined;
  watchIdleTimeoutMs: number;
  healthCheck: HealthCheckSettings;
  // Hostile-client defences (issue 10): see the README's Limitations.
  tcpIdleTimeoutMs: number;
  tcpConnections: number;
  tcpConnectionsPerClient: number;
  explain: HostPort | undefined;
  lameDuckMs: number;
  upstreamAllow: NetworkList;
  rrlRate: number;
  rrlSlip: number;
  rrlExempt: NetworkList;
  transfers: TransferConfig | undefined; // zone transfers, off unless -transfer-allow is given
  soaTimers: SoaTimers;
}

export interface TransferConfig {
  allow: NetworkList;
  tsigKey: TsigKey | undefined;
  notify: HostPort[];
  notifyDelayMs: number;
  journalRecords: number;
}

export class FlagError extends Error {}

function positiveDuration(value: string): number {
  const ms = parseDuration(value);
  if (ms < 1) throw new Error(`"${value}" must be longer than 0`);
  return ms;
}

function countIn(value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new Error(`"${value}" is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

// Kubelet injects MINILB_PORT, MINILB_SERVICE_HOST... for a Service named minilb; these are
// not flags, so only our own names are read from the environment.
function minilbEnv(env: NodeJS.ProcessEnv, names: readonly string[]): string[] {
  const args: string[] = [];
  for (const name of names) {
    const value = env[`MINILB_${name.toUpperCase().replace(/-/g, '_')}`];
    if (value !== undefined) args.push(`--${name}=${value}`);
  }
  return args;
}

function flag<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const message = (err as Error).message.replace(new RegExp(`^-${name}: `), '');
    throw new FlagError(`invalid -${name}: ${message}`);
  }
}

// Every flag, once: yargs reads this table, serverFlagNames and the MINILB_* variables come from
// it. A new flag is one line here and one field in parseServerFlags.
const flagOptions = {
  kubeconfig: { type: 'string', describe: 'kubeconfig file (default: in-cluster, then KUBECONFIG, then ~/.kube/config)' },
  domain: { type: 'string', default: 'minilb', describe: 'DNS zone minilb is authoritative for' },
  listen: { type: 'string', default: ':53', describe: 'DNS listen address, UDP and TCP (":53" is every address)' },
  resync: { type: 'string', default: '300s', describe: "re-check every Service from the local cache this often, as client-go's resync (no re-list; 0: off)" },
  ttl: { type: 'string', default: '5', describe: 'TTL of answers, seconds' },
  upstream: { type: 'string', describe: 'host:port[,host:port] to forward other names to (default: answer REFUSED)' },
  'upstream-timeout': { type: 'string', default: '2s', describe: 'time to wait for the upstream before answering SERVFAIL' },
  'ns-address': {
    type: 'string',
    array: true,
    describe: 'address(es) clients reach minilb at, answered for ns.<domain> (repeatable; default: the -listen address unless it is a wildcard)',
  },
  'cname-resolver': {
    type: 'string',
    choices: ['upstream', 'system', 'off'],
    describe: 'who looks up out-of-zone CNAME targets for recursive queries (default: upstream with -upstream, else system)',
  },
  health: { type: 'string', default: ':8080', describe: 'HTTP address for /healthz and /metrics ("" turns it off)' },
  explain: { type: 'string', default: '127.0.0.1:8082', describe: 'HTTP address for /v1/explain and /v1/endpoint-health, loopback by default (kubectl port-forward); "" turns it off' },
  manifests: { type: 'string', array: true, describe: 'serve these manifest files or directories instead of a cluster (repeatable)' },
  'lb-class': { type: 'string', default: 'minilb', describe: 'spec.loadBalancerClass of the Services minilb answers for' },
  'log-level': { type: 'string', default: 'info', describe: `log level: ${logLevels.join(', ')}` },
  'leader-elect': { type: 'boolean', default: true, describe: 'elect one replica to write Service status' },
  'lease-name': { type: 'string', default: 'minilb', describe: 'name of the leader-election Lease' },
  'lease-namespace': { type: 'string', describe: "namespace of the Lease (default: the pod's namespace)" },
  'watch-idle-timeout': { type: 'string', default: '150s', describe: 'restart a Kubernetes watch that sent nothing (not even a bookmark) for this long' },
  'health-check-default': { type: 'string', default: 'none', choices: ['none', 'tcp'], describe: 'health-check Services without a minilb/health-check annotation (tcp) or not (none)' },
  'health-check-interval': { type: 'string', default: '2s', describe: 'time between two probes of one endpoint (10% jitter)' },
  'health-check-timeout': { type: 'string', default: '1s', describe: 'TCP connect timeout of a probe' },
  'health-check-fall': { type: 'string', default: '2', describe: 'failed probes in a row before an endpoint is down' },
  'health-check-rise': { type: 'string', default: '1', describe: 'successful probes in a row before a down endpoint is up' },
  'health-check-max-concurrent': { type: 'string', default: '64', describe: 'probes in flight at once, over all endpoints' },
  'health-check-rate': { type: 'string', default: '500', describe: 'probes started per second at most, over all endpoints' },
  'tcp-idle-timeout': { type: 'string', default: '10s', describe: 'close DNS TCP connections idle this long' },
  'tcp-connections': { type: 'string', default: '1024', describe: 'open DNS TCP connections; at the cap the oldest idle one is closed for a new one' },
  'tcp-connections-per-client': { type: 'string', default: '32', describe: 'open DNS TCP connections per client address' },
  lameduck: { type: 'string', default: '3s', describe: 'after SIGTERM, keep answering DNS this long with /healthz at 503, then exit' },
  'upstream-allow': { type: 'string', default: privateNetworks.join(','), describe: 'clients (CIDR list) whose other names go to -upstream; the rest get REFUSED' },
  'rrl-rate': { type: 'string', default: '20', describe: 'UDP responses per second per client /24 (IPv6 /56) and answer; 0 turns rate limiting off' },
  'rrl-slip': { type: 'string', default: '2', describe: 'every Nth rate-limited UDP response goes out truncated (TC) so real clients retry over TCP; 0 drops all' },
  'rrl-exempt': { type: 'string', default: '127.0.0.0/8,::1/128', describe: 'clients (CIDR list) never rate limited' },
  'transfer-allow': { type: 'string', describe: 'CIDR[,CIDR]: networks allowed AXFR/IXFR of the zones (default: transfers off)' },
  'tsig-key': { type: 'string', describe: 'TSIG key file (tsig-keygen format): transfers must be signed with it, NOTIFY is signed' },
  notify: { type: 'string', describe: 'host:port[,host:port] of secondaries to NOTIFY when records change' },
  'notify-delay': { type: 'string', default: '500ms', describe: 'changes within this window go out as one NOTIFY' },
  'ixfr-journal': { type: 'string', default: '10000', describe: 'records of change history kept for IXFR (older changes get a full transfer)' },
  'soa-refresh': { type: 'string', default: '60s', describe: 'SOA refresh: how often a secondary checks for changes it was not notified of' },
  'soa-retry': { type: 'string', default: '10s', describe: 'SOA retry: how soon a secondary retries a failed refresh' },
  'soa-expire': { type: 'string', default: '168h', describe: 'SOA expire: how long a secondary keeps answering while minilb is unreachable' },
} as const satisfies Record<string, Options>;

export const serverFlagNames: readonly string[] = Object.keys(flagOptions);

export function serverFlagParser() {
  return yargs()
    .scriptName('minilb-server')
    .parserConfiguration({ 'short-option-groups': false, 'camel-case-expansion': false })
    .usage('minilb-server [flags]\n\nDNS for LoadBalancer Services of class minilb: <service>.<namespace>.<domain> resolves to ready pod IPs.')
    .options(flagOptions)
    .strict()
    .help()
    .alias('h', 'help')
    .version(serverVersion)
    .wrap(100);
}

export type ServerCommandLine = { kind: 'printed' } | { kind: 'serve'; config: ServerConfig };

// --help, -h and --version print and leave nothing to start.
export async function readServerCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServerCommandLine> {
  const config = await parseServerFlags(argv, env).catch((err: unknown) => {
    if (err instanceof PrintedAndDone) return undefined;
    throw err;
  });
  return config ? { kind: 'serve', config } : { kind: 'printed' };
}

class PrintedAndDone extends Error {}

// "Unknown argument: no-such-flag" names the flag as yargs stored it; say it as a flag.
function oneLine(message: string): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message.trim());
  if (unknown) return `unknown flag ${unknown[1]!.split(', ').map((n) => `-${n}`).join(', ')} (see minilb-server --help)`;
  return message.replace(/\s*\n\s*/g, ' ');
}

// Parses argv (without node and script); throws FlagError with one line naming the flag.
export async function parseServerFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServerConfig> {
  let failure: string | undefined;
  const parsed = await serverFlagParser()
    .fail((message) => {
      failure = message;
    })
    .exitProcess(false)
    .parseAsync([...minilbEnv(env, serverFlagNames), ...argv]);
  if (failure) throw new FlagError(oneLine(failure));
  if (parsed.help || parsed.version) throw new PrintedAndDone();

  const text = (name: string): string => {
    const value = (parsed as Record<string, unknown>)[name];
    return Array.isArray(value) ? String(value[value.length - 1]) : String(value ?? '');
  };
  const domain = flag('domain', () => {
    const p = parseHostname(text('domain'));
    if (!p.ok || p.wildcard) throw new Error(p.ok ? 'a wildcard is not a zone' : p.reason);
    return p.name;
  });
  const health = text('health');
  const listen = flag('listen', () => parseListenAddress(text('listen')));
  const seconds = (name: string): number =>
    flag(name, () => {
      const ms = parseDuration(text(name));
      if (ms % 1000 !== 0 || ms === 0 || ms / 1000 > 2_147_483_647) throw new Error(`"${text(name)}" is not a whole number of seconds above 0`);
      return ms / 1000;
    });
  return {
    kubeconfig: parsed.kubeconfig,
    domain,
    listen,
    resyncMs: flag('resync', () => parseDuration(text('resync'))),
    ttl: flag('ttl', () => {
      const ms = parseDuration(text('ttl'));
      if (ms % 1000 !== 0 || ms / 1000 > 2_147_483_647) throw new Error(`"${text('ttl')}" is not a whole number of seconds`);
      return ms / 1000;
    }),
    upstream: flag('upstream', () =>
      (parsed.upstream ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter((u) => u !== '')
        .map(parseUpstreamAddress),
    ),
    upstreamTimeoutMs: flag('upstream-timeout', () => parseDuration(text('upstream-timeout'))),
    nsAddresses: flag('ns-address', () => nameServerAddresses(parsed['ns-address'], listen)),
    cnameResolver: flag('cname-resolver', () => {
      const chosen = parsed['cname-resolver'] as 'upstream' | 'system' | 'off' | undefined;
      const hasUpstream = (parsed.upstream ?? '').trim() !== '';
      if (chosen === 'upstream' && !hasUpstream) throw new Error('"upstream" needs -upstream; use "system" or set -upstream');
      // Forwarders in front (dnsmasq, CoreDNS forward) never chase a CNAME, so by default minilb
      // does: through the upstream it already trusts, else the resolver the host or pod uses.
      return chosen ?? (hasUpstream ? 'upstream' : 'system');
    }),
    health: health === '' ? undefined : flag('health', () => parseListenAddress(health)),
    manifests: (parsed.manifests ?? []).flatMap((m) => String(m).split(',')).filter((m) => m !== ''),
    lbClass: text('lb-class'),
    logLevel: flag('log-level', () => {
      const level = text('log-level');
      if (!(logLevels as readonly string[]).includes(level)) throw new Error(`"${level}": choose one of ${logLevels.join(', ')}`);
      return level as LogLevel;
    }),
    leaderElect: parsed['leader-elect'],
    leaseName: text('lease-name'),
    leaseNamespace: parsed['lease-namespace'],
    watchIdleTimeoutMs: flag('watch-idle-timeout', () => parseDuration(text('watch-idle-timeout'))),
    healthCheck: {
      defaultMode: text('health-check-default') as CheckMode,
      intervalMs: flag('health-check-interval', () => positiveDuration(text('health-check-interval'))),
      timeoutMs: flag('health-check-timeout', () => positiveDuration(text('health-check-timeout'))),
      fall: flag('health-check-fall', () => countIn(text('health-check-fall'), 1, 100)),
      rise: flag('health-check-rise', () => countIn(text('health-check-rise'), 1, 100)),
      maxConcurrent: flag('health-check-max-concurrent', () => countIn(text('health-check-max-concurrent'), 1, 10_000)),
      perSecond: flag('health-check-rate', () => countIn(text('health-check-rate'), 1, 100_000)),
    },
    tcpIdleTimeoutMs: flag('tcp-idle-timeout', () => positiveDuration(text('tcp-idle-timeout'))),
    tcpConnections: flag('tcp-connections', () => countIn(text('tcp-connections'), 1, 1_000_000)),
    tcpConnectionsPerClient: flag('tcp-connections-per-client', () => countIn(text('tcp-connections-per-client'), 1, 1_000_000)),
    explain: text('explain') === '' ? undefined : flag('explain', () => parseListenAddress(text('explain'))),
    lameDuckMs: flag('lameduck', () => parseDuration(text('lameduck'))),
    upstreamAllow: flag('upstream-allow', () => parseNetworkList(text('upstream-allow'))),
    rrlRate: flag('rrl-rate', () => countIn(text('rrl-rate'), 0, 1_000_000)),
    rrlSlip: flag('rrl-slip', () => countIn(text('rrl-slip'), 0, 100)),
    rrlExempt: flag('rrl-exempt', () => parseNetworkList(text('rrl-exempt'))),
    transfers: transferConfig(parsed as Record<string, unknown>, text),
    soaTimers: { refresh: seconds('soa-refresh'), retry: seconds('soa-retry'), expire: seconds('soa-expire') },
  };
}

function transferConfig(parsed: Record<string, unknown>, text: (name: string) => string): TransferConfig | undefined {
  const given = (name: string): boolean => parsed[name] !== undefined && text(name) !== '';
  if (!given('transfer-allow')) {
    for (const name of ['tsig-key', 'notify']) {
      if (given(name)) throw new FlagError(`invalid -${name}: zone transfers are off; give -transfer-allow with the secondaries' networks too`);
    }
    return undefined;
  }
  return {
    allow: flag('transfer-allow', () => parseNetworkList(text('transfer-allow'))),
    tsigKey: given('tsig-key') ? flag('tsig-key', () => readTsigKeyFile(text('tsig-key'))) : undefined,
    notify: given('notify')
      ? flag('notify', () =>
          text('notify')
            .split(',')
            .map((u) => u.trim())
            .filter((u) => u !== '')
            .map((u) => parseUpstreamAddress(u)),
        )
      : [],
    notifyDelayMs: flag('notify-delay', () => parseDuration(text('notify-delay'))),
    journalRecords: flag('ixfr-journal', () => {
      const n = Number(text('ixfr-journal'));
      if (!Number.isInteger(n) || n < 0) throw new Error(`"${text('ixfr-journal')}" is not a whole number of records`);
      return n;
    }),
  };
}

// Resolvers that prime (Unbound's stub-prime, BIND's stub zones, secondaries) look up the NS
// target's address and fail without one. A specific -listen address is where minilb is reached;
// behind a wildcard only the deployment knows (the manifests pass the pod or node IP).
function nameServerAddresses(values: unknown[] | undefined, listen: HostPort): string[] {
  const given = (values ?? []).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const address of given) {
    if (!isIP(address)) throw new Error(`${JSON.stringify(address)} is not an IP address; use e.g. 192.168.1.31 or 2001:db8::31`);
  }
  if (given.length > 0) return [...new Set(given)];
  const host = listen.host;
  if (host === undefined || host === '0.0.0.0' || host === '::') return [];
  return [host];
}
