import { describe, expect, it } from 'vitest';
import { CliError, exitCodes } from '../exit-codes.js';
import { routesOptions, type RoutesArgs } from './routes-options.js';

function usageError(args: RoutesArgs): string {
  try {
    routesOptions(args);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(exitCodes.usage);
    return (err as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('routes flags', () => {
  it('prints ip lines by default, from the default kubeconfig', () => {
    expect(routesOptions({})).toEqual({
      mode: 'print',
      source: { manifests: undefined, kubeconfig: undefined, context: undefined },
      format: 'ip',
      defaultGateway: undefined,
      uciInterface: 'lan',
      proto: 250,
    });
  });

  it('applies with the documented defaults', () => {
    expect(routesOptions({ apply: true, ssh: 'root@[2001:db8::1]:2222', manifests: ['n.yaml'] })).toMatchObject({
      mode: 'apply',
      ssh: { user: 'root', host: '2001:db8::1', port: 2222 },
      router: 'auto',
      yes: false,
      dryRun: false,
      proto: 250,
      prune: true,
      sshTimeoutMs: 60_000,
      intervalMs: 30_000,
    });
  });

  it.each<[RoutesArgs, string]>([
    [{ manifests: ['a.yaml'], kubeconfig: 'k' }, '--manifests reads files and --kubeconfig/--context read a cluster'],
    [{ format: 'dnsmasq' }, '--format dnsmasq needs --default-gateway <router IPv4>'],
    [{ format: 'kea', defaultGateway: '2001:db8::1' }, "--default-gateway 2001:db8::1: give the LAN router's IPv4 address"],
    [{ format: 'bind' }, '--format bind: choose one of ip, uci, dnsmasq, isc-dhcpd, kea, routeros, json'],
    [{ ssh: 'router' }, '--ssh names the router for --apply, --dry-run or --watch'],
    [{ yes: true }, '--yes only applies with --apply, --dry-run or --watch'],
    [{ apply: true }, '--apply, --dry-run and --watch need --ssh [user@]host[:port]'],
    [{ apply: true, ssh: 'r', format: 'ip' }, '--format prints routes'],
    [{ apply: true, ssh: 'r:99999' }, '--ssh r:99999: port must be 1-65535'],
    [{ apply: true, ssh: 'r', router: 'cisco' }, '--router cisco: choose linux, openwrt or auto'],
    [{ apply: true, ssh: 'r', proto: 4 }, '--proto 4: give a route protocol number from 5 to 255'],
    [{ apply: true, ssh: 'r', proto: 256 }, '--proto 256'],
    [{ apply: true, ssh: 'r', uciInterface: 'br-lan' }, '--uci-interface br-lan: an OpenWrt interface name has only letters, digits and _'],
    [{ apply: true, ssh: 'r', sshOption: ['-F/dev/null'] }, 'give ssh options as Key=Value'],
    [{ watch: true, ssh: 'r' }, '--watch changes the router unattended: add --yes'],
    [{ watch: true, ssh: 'r', yes: true, interval: 0 }, '--interval 0: give at least 1 second'],
  ])('refuses %j', (args, message) => {
    expect(usageError(args)).toContain(message);
  });

  it('lets --watch run unattended with --yes, or print only with --dry-run', () => {
    expect(routesOptions({ watch: true, ssh: 'r', yes: true, interval: 5 })).toMatchObject({ mode: 'watch', intervalMs: 5000 });
    expect(routesOptions({ watch: true, ssh: 'r', dryRun: true })).toMatchObject({ mode: 'watch', dryRun: true });
  });
});

describe('old spellings', () => {
  it('-o Key=Value is still an ssh option and --format still the format, each with a note', () => {
    const notes: string[] = [];
    expect(routesOptions({ apply: true, ssh: 'r', output: ['IdentityFile=/keys/router'] }, notes)).toMatchObject({ sshOptions: ['IdentityFile=/keys/router'] });
    expect(routesOptions({ format: 'json' }, notes)).toMatchObject({ mode: 'print', format: 'json' });
    expect(notes).toEqual([
      '-o Key=Value for an ssh option is deprecated: write --ssh-option Key=Value (-o is --output)',
      '--format is deprecated: write -o/--output',
    ]);
  });
});
