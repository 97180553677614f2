// Parses `--ssh [user@]host[:port]` (IPv6 literals in brackets) into ssh's own arguments, so the
// system ssh keeps honouring ~/.ssh/config, the agent, known_hosts and ProxyJump.

export interface SshTarget {
  user: string | undefined;
  host: string;
  port: number | undefined;
}

export class SshTargetError extends Error {}

export function parseSshTarget(text: string): SshTarget {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  let rest = at >= 0 ? text.slice(at + 1) : text;
  let port: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw new SshTargetError(`--ssh ${text}: missing "]" after the IPv6 address`);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new SshTargetError(`--ssh ${text}: expected ":port" after "]"`);
    port = after === '' ? undefined : after.slice(1);
    rest = rest.slice(1, close);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [rest, port] = rest.split(':') as [string, string];
  }
  // A bare IPv6 literal (two or more colons, no brackets) has no port.
  if (user === '' || rest === '') throw new SshTargetError(`--ssh ${text}: expected [user@]host[:port]`);
  if (/[\s'"`$\\;&|<>]/.test(rest) || rest.startsWith('-') || (user && /[\s@'"`$\\]/.test(user))) {
    throw new SshTargetError(`--ssh ${text}: the host or user has characters ssh would misread`);
  }
  let portNumber: number | undefined;
  if (port !== undefined) {
    portNumber = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(portNumber >= 1 && portNumber <= 65535)) throw new SshTargetError(`--ssh ${text}: port must be 1-65535`);
  }
  return { user, host: rest, port: portNumber };
}

export function formatSshTarget(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ''}${host}${t.port ? `:${t.port}` : ''}`;
}

// BatchMode comes first so nothing can turn it back on (for ssh, the first value of an option
// wins): with no terminal behind it, a password prompt would hang. The caller's -o options come
// before our ConnectTimeout so they can lengthen it.
export function sshArguments(target: SshTarget, extraOptions: readonly string[], remoteCommand: string): string[] {
  const args = ['-o', 'BatchMode=yes'];
  for (const option of extraOptions) args.push('-o', option);
  args.push('-o', 'ConnectTimeout=5');
  if (target.port) args.push('-p', String(target.port));
  if (target.user) args.push('-l', target.user);
  args.push('--', target.host, remoteCommand);
  return args;
}
