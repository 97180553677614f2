// The real publishing path: a verdaccio registry on loopback with no uplinks (so it serves only
// what is published to it), both packages published with npm, and npx run in an empty folder
// with an empty npm cache, as a new user would. A package with a runtime dependency would fail
// here: the registry has nothing else to give.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot, freePort, repoRoot, waitFor } from '../harness/index.js';

const run = promisify(execFile);
// 6.10 needs Node 22; 6.8 runs on Node 20 once node-fetch is held at 2.7.0.
const VERDACCIO_VERSION = '6.8.0';
const verdaccioDir = join(cacheRoot, `verdaccio-${VERDACCIO_VERSION}`);
const demo = join(repoRoot, 'examples/demo-cluster.yaml');

async function installVerdaccio(): Promise<string> {
  const bin = join(verdaccioDir, 'node_modules/verdaccio/bin/verdaccio');
  if (existsSync(bin)) return bin;
  // Not ".tmp-<pid>": the peer build removes those as leftovers whenever it starts.
  const tmp = `${verdaccioDir}.installing-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(
    join(tmp, 'package.json'),
    JSON.stringify({ private: true, dependencies: { verdaccio: VERDACCIO_VERSION }, overrides: { 'node-fetch': '2.7.0' } }),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: tmp, maxBuffer: 16 << 20 });
  await rm(verdaccioDir, { recursive: true, force: true });
  await run('mv', [tmp, verdaccioDir]);
  return bin;
}

let work: string;
let registry: string;
let verdaccio: ChildProcess | undefined;
let npmrc: string;

function npmEnv(cache: string): NodeJS.ProcessEnv {
  // A cold, private npm: its own cache and config, nothing from the machine's.
  return { ...process.env, npm_config_cache: cache, npm_config_userconfig: npmrc, npm_config_update_notifier: 'false' };
}

beforeAll(async () => {
  const bin = await installVerdaccio();
  work = await mkdtemp(join(tmpdir(), 'minilb-publish-'));
  const port = await freePort();
  registry = `http://127.0.0.1:${port}`;
  await writeFile(
    join(work, 'config.yaml'),
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'htpasswd')}, max_users: 10 }`,
      'uplinks: {}',
      'packages:',
      "  '**': { access: $all, publish: $authenticated }",
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  verdaccio = spawn(process.execPath, [bin, '--config', join(work, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitFor(async () => (await fetch(`${registry}/-/ping`).catch(() => undefined))?.ok === true, { timeoutMs: 60_000, what: 'verdaccio to listen' });
  const res = await fetch(`${registry}/-/user/org.couchdb.user:minilb`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'minilb', password: 'minilb-test-only' }),
  });
  const { token } = (await res.json()) as { token: string };
  npmrc = join(work, 'npmrc');
  await writeFile(npmrc, `registry=${registry}/\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  for (const dir of ['packages/server', 'packages/cli']) {
    await run('npm', ['publish', '--registry', registry, '--ignore-scripts'], { cwd: join(repoRoot, dir), env: npmEnv(join(work, 'publish-cache')) });
  }
}, 600_000);

afterAll(async () => {
  verdaccio?.kill('SIGTERM');
  if (work) await rm(work, { recursive: true, force: true });
});

async function npxInEmptyFolder(args: string[]): Promise<{ stdout: string; seconds: number }> {
  const empty = await mkdtemp(join(work, 'user-'));
  const started = Date.now();
  const { stdout } = await run('npx', ['--yes', '--registry', registry, ...args], { cwd: empty, env: npmEnv(join(empty, '.npm-cache')) });
  return { stdout, seconds: (Date.now() - started) / 1000 };
}

describe('published packages', () => {
  it('npx minilb-cli inspect runs from the registry alone in an empty folder', async () => {
    const { stdout, seconds } = await npxInEmptyFolder(['minilb-cli', 'inspect', 'paperless.sko.ai', '--manifests', demo]);
    expect(stdout).toContain('paperless.sko.ai resolves: 10.244.0.15, 10.244.1.22');
    expect(stdout).toContain('paperless.sko.ai');
    process.stdout.write(`cold npx minilb-cli inspect: ${seconds.toFixed(1)} s\n`);
  });

  it('cold npx minilb-cli --help', async () => {
    const { stdout, seconds } = await npxInEmptyFolder(['minilb-cli', '--help']);
    expect(stdout).toContain('minilb routes');
    process.stdout.write(`cold npx minilb-cli --help: ${seconds.toFixed(1)} s\n`);
  });

  it('npx minilb-server --help prints the flags and exits', async () => {
    const { stdout } = await npxInEmptyFolder(['minilb-server', '--help']);
    expect(stdout).toContain('minilb-server [flags]');
    expect(stdout).toContain('-manifests');
  });
});
