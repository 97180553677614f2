// What a user installs: both packages are one-file bundles with no runtime dependencies, a
// LICENSE and a README, and bins that are committed files (npm links a workspace's bin only
// if its file exists at `npm ci` time, so a bin inside dist/ is missing on a fresh clone).

import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  name: string;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
}

const packages = ['packages/cli', 'packages/server'];

async function manifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as Manifest;
}

describe.each(packages)('%s as published', (dir) => {
  it('has no runtime dependencies', async () => {
    expect((await manifest(dir)).dependencies ?? {}).toEqual({});
  });

  it('bins are committed files, outside dist/, that run', async () => {
    const { bin } = await manifest(dir);
    const { stdout: tracked } = await run('git', ['ls-files', '--', ...Object.values(bin)], { cwd: join(root, dir) });
    for (const [name, target] of Object.entries(bin)) {
      expect(target, `bin ${name}`).not.toMatch(/^(\.\/)?dist\//);
      expect(tracked.split('\n'), `bin ${name} -> ${target} is committed`).toContain(target);
      const { stdout } = await run(process.execPath, [join(root, dir, target), '--version']);
      expect(stdout.trim(), `${name} --version`).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('packs LICENSE, README.md, the bins and the bundle, and nothing of src/', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, dir) });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    for (const target of Object.values((await manifest(dir)).bin)) expect(files).toContain(target);
    expect(files.filter((f) => f.startsWith('src/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.mjs') && f.startsWith('dist/')).length).toBeGreaterThan(0);
  });
});

it('the CLI bundle is one file that runs without node_modules', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, 'packages/cli') });
  const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
  expect(files.filter((f) => f.startsWith('dist/'))).toEqual(['dist/minilb.mjs']);
  // Copied away from every node_modules, the bins still run a whole command.
  const dir = await mkdtemp(join(tmpdir(), 'minilb-bundle-'));
  try {
    for (const f of files) await cp(join(root, 'packages/cli', f), join(dir, f), { recursive: true });
    const { stdout } = await run(process.execPath, [join(dir, 'bin/minilb.mjs'), 'inspect', 'paperless.sko.ai', '--manifests', join(root, 'examples/demo-cluster.yaml')], { cwd: dir });
    expect(stdout).toContain('paperless.sko.ai resolves: 10.244.0.15');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("the README quick start's npx commands run as written in the checkout", async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const commands = quickStart.split('\n').filter((l) => l.startsWith('npx '));
  expect(commands.length).toBeGreaterThan(0);
  for (const command of commands) {
    const [, ...args] = command.split(/\s+/);
    const { stdout } = await run('npx', ['--no-install', ...args], { cwd: root });
    expect(stdout, command).toContain('paperless.sko.ai resolves:');
  }
});
