// Real SSH servers inside the test namespaces: OpenSSH's sshd for the Linux router, dropbear
// with BusyBox as login shell and tools for the OpenWrt-like one. Keys are made per run; the
// client side gets the options that make ssh trust exactly these host keys and nothing else.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { must, waitFor, type Lab } from './netns-lab.js';

export interface SshClient {
  user: string;
  // -o options for `minilb routes`: our key, our known_hosts, no agent, no prompts.
  options: string[];
  publicKey: string;
}

export function makeClient(dir: string, knownHosts: { host: string; key: string }[]): SshClient {
  const key = join(dir, 'id_ed25519');
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'minilb-e2e', '-f', key]);
  const known = join(dir, 'known_hosts');
  writeFileSync(known, knownHosts.map((k) => `${k.host} ${k.key}\n`).join(''));
  return {
    user: 'root',
    publicKey: readFileSync(`${key}.pub`, 'utf8'),
    options: [
      `IdentityFile=${key}`,
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      `UserKnownHostsFile=${known}`,
      'GlobalKnownHostsFile=/dev/null',
      'StrictHostKeyChecking=yes',
      'LogLevel=ERROR',
    ],
  };
}

function listening(lab: Lab, ns: string, address: string): boolean {
  const shown = address.includes(':') ? `[${address}]:22` : `${address}:22`;
  return lab.exec(ns, ['ss', '-Hltn']).stdout.includes(shown);
}

function startDaemon(lab: Lab, ns: string, name: string, args: string[]): void {
  const log = openSync(join(lab.dir, `${name}.log`), 'a');
  // Its own process group, so it is not in the test's; the lab kills it with its namespace.
  const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', log, log], detached: true });
  child.unref();
}

export function generateHostKey(dir: string, name: string): { path: string; publicKey: string } {
  const path = join(dir, name);
  must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  return { path, publicKey: readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' ') };
}

// OpenSSH's sshd with its own config, host key and authorized key, listening only on the
// router's addresses inside its namespace.
export async function startOpenSshd(lab: Lab, ns: string, addresses: string[], hostKey: string, authorizedKey: string): Promise<void> {
  const dir = join(lab.dir, 'sshd');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'authorized_keys'), authorizedKey);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      ...addresses.map((a) => `ListenAddress ${a.includes(':') ? `[${a}]` : a}:22`),
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PrintMotd no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation directory; a fresh container may not have it.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  startDaemon(lab, ns, 'sshd', ['/usr/sbin/sshd', '-D', '-e', '-f', config]);
  await waitFor(`sshd listening in ${ns}`, () => addresses.every((a) => listening(lab, ns, a)));
}

// An OpenWrt-like SSH server: dropbear; BusyBox ash as root's login shell; BusyBox applets,
// `ip` among them, first on dropbear's PATH (/usr/local/sbin, bind-mounted in a private
// mount namespace); /etc/openwrt_release present through an overlay on /etc.
export async function startOpenWrtLike(
  lab: Lab,
  ns: string,
  address: string,
  authorizedKey: string,
): Promise<{ publicKey: string; binDir: string }> {
  const dir = join(lab.dir, 'openwrt');
  const binDir = join(dir, 'bin');
  const home = join(dir, 'root');
  const upper = join(dir, 'etc-upper');
  const work = join(dir, 'etc-work');
  for (const d of [binDir, join(home, '.ssh'), upper, work]) mkdirSync(d, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o755);
  chmodSync(binDir, 0o755);
  must('busybox', ['--install', '-s', binDir]);
  writeFileSync(join(home, '.ssh', 'authorized_keys'), authorizedKey, { mode: 0o600 });

  const ash = '/usr/local/sbin/ash';
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => {
      const f = line.split(':');
      return f[0] === 'root' ? [f[0], f[1], f[2], f[3], f[4], home, ash].join(':') : line;
    })
    .join('\n');
  writeFileSync(join(upper, 'passwd'), passwd);
  writeFileSync(join(upper, 'shells'), `${readFileSync('/etc/shells', 'utf8')}${ash}\n`);
  // Stand-in release file: only its presence matters (`--router auto` looks for it).
  writeFileSync(join(upper, 'openwrt_release'), "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='stand-in for minilb e2e'\n");

  const hostKey = join(dir, 'dropbear_ed25519_host_key');
  const generated = must('dropbearkey', ['-t', 'ed25519', '-f', hostKey]);
  const publicKey = /^(ssh-ed25519 \S+)/m.exec(generated)?.[1];
  if (!publicKey) throw new Error(`dropbearkey printed no public key: ${generated}`);

  const setup = [
    'set -e',
    'mkdir -p /usr/local/sbin',
    `mount --bind ${binDir} /usr/local/sbin`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${upper},workdir=${work} /etc`,
    `exec /usr/sbin/dropbear -F -E -s -m -p ${address}:22 -r ${hostKey} -P ${join(dir, 'dropbear.pid')}`,
  ].join('\n');
  startDaemon(lab, ns, 'dropbear', ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', setup]);
  await waitFor(`dropbear listening in ${ns}`, () => listening(lab, ns, address));
  return { publicKey, binDir };
}

