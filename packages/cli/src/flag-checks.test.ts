// A wrong flag stops every command before it reads, prints or changes anything: one line on
// stderr naming the flag, exit 2. Run as a user runs the built `minilb`, with an `ssh` on PATH
// that records being called, so a router-changing command that ran anyway is caught.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'packages/cli/dist/main.js');
const demo = join(root, 'examples/demo-cluster.yaml');

const dir = mkdtempSync(join(tmpdir(), 'minilb-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sshCalled = join(dir, 'ssh-was-called');
writeFileSync(join(dir, 'ssh'), `#!/bin/sh\necho "$@" >> ${sshCalled}\nexit 255\n`, { mode: 0o755 });

async function minilb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a wrong flag stops the command before it does anything', () => {
  it.each<[string[], string]>([
    [['routes', '--apply', '--ssh', 'root@198.51.100.49', '--manifests', demo, '--yes', '--dryrun'], 'unknown flag --dryrun'],
    [['routes', '--apply', '--ssh', 'root@198.51.100.49', '--manifests', demo, '--yes', '--ssh-timeout', 'abc'], '--ssh-timeout abc: give a number of seconds'],
    [['routes', '--watch', '--ssh', 'root@198.51.100.49', '--manifests', demo, '--yes', '--interval', 'soon'], '--interval soon'],
    [['routes', '--apply', '--ssh', '--manifests', demo, '--yes'], '--ssh needs a value'],
    [['routes', '--frmat', 'json', '--manifests', demo], 'unknown flag --frmat'],
    [['routes', '--manifests', demo, '--format', 'nonsense'], '--format nonsense: choose one of ip, uci, dnsmasq'],
    [['routes', '--manifests'], '--manifests needs a manifest file or folder'],
    [['corefile', '--manifests', demo, '--formt', 'json'], 'unknown flag --formt'],
    [['corefile', '--manifests', demo, '--to', 'nonsense'], '--to nonsense: give host:port'],
    [['corefile', '--manifests', demo, '-o', 'yaml'], '--output yaml: choose one of corefile, json'],
    [['doctor', '--manifests', demo, '--ssh', 'root@198.51.100.49', '--bogus'], 'unknown flag --bogus'],
    [['doctor', '--manifests', demo, '--ssh', 'root@198.51.100.49', '--ssh-timeout', 'abc'], '--ssh-timeout abc'],
    [['doctor', '--manifests', demo, '-o', 'yaml'], '--output yaml: choose one of text, json'],
    [['inspect', 'paperless.sko.ai', '--manifests', demo, '--dns', 'not a server'], '--dns not a server: '],
    [['inspect', 'paperless.sko.ai', '--manifests', demo, '-x'], 'unknown flag -x'],
    [['inspect', '--manifests', demo], 'inspect needs a hostname'],
    [['inspect', 'bad..name', '--manifests', demo], 'not a valid hostname'],
    [['inspect', 'paperless.sko.ai', '--manifests', demo, '--api', 'nowhere'], "--api nowhere: give the server's http://host:port"],
    [['routes', 'extra', '--manifests', demo], 'unexpected argument "extra"'],
    [['rutes'], 'unknown command "rutes"'],
  ])('minilb %j', async (args, message) => {
    rmSync(sshCalled, { force: true });
    const result = await minilb(...args);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean), result.stderr).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
    expect(existsSync(sshCalled), 'ssh was run').toBe(false);
  });

  it.each([['--help'], ['-h'], ['routes', '--help'], ['inspect', '-h'], ['doctor', '--help'], ['corefile', '--help'], ['--version']])(
    'minilb %j prints and exits 0 without reading or running anything',
    async (...args) => {
      rmSync(sshCalled, { force: true });
      const result = await minilb(...args, '--ssh', 'root@198.51.100.49', '--apply', '--yes', '--manifests', join(dir, 'missing.yaml'));
      expect(result.code).toBe(0);
      expect(result.stdout).not.toBe('');
      expect(result.stderr).toBe('');
      expect(existsSync(sshCalled)).toBe(false);
    },
  );

  it('takes the Go-style single-dash spelling the server takes', async () => {
    const result = await minilb('routes', '-manifests', demo, '-o', 'json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).routes.length).toBeGreaterThan(0);
    const inspect = await minilb('inspect', 'paperless.sko.ai', '-manifests', demo, '-output=json');
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout).explanation.name).toBe('paperless.sko.ai');
  });
});

describe('ssh failures keep the exit-code contract', () => {
  it('routes --apply with no ssh on PATH exits 4 naming what is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'minilb-nossh-'));
    try {
      const result = await run(process.execPath, [cli, 'routes', '--apply', '--yes', '--ssh', 'root@198.51.100.49', '--manifests', demo], {
        env: { ...process.env, PATH: empty },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('the OpenSSH client is not installed or not on PATH');
      expect(result.stderr).not.toContain('unexpected error');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('errors that are not flags are still one clear line', () => {
  it('a malformed kubeconfig: one line naming the file, exit 3', async () => {
    const kubeconfig = join(dir, 'bad-kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nclusters:\n- cluster: {server: https://192.0.2.1:6443\n  name: x\n');
    const result = await minilb('routes', '--kubeconfig', kubeconfig);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
    expect(result.stderr).toContain(`cannot load kubeconfig ${kubeconfig}`);
    expect(result.stderr.trim()).not.toMatch(/:$/);
  });

  it('a missing manifest says so in words, exit 3', async () => {
    const result = await minilb('routes', '--manifests', join(dir, 'missing.yaml'));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('missing.yaml: ENOENT (no such file or directory)');
  });

  it('a YAML error ends with where it is, not with a dangling colon', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'apiVersion: v1\nkind: Node\nmetadata: {name: a: b}\n');
    const result = await minilb('routes', '--manifests', broken);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/line 3, column \d+\n$/);
  });
});
