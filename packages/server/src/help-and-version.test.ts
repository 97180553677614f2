// `minilb-server --help`, `-h` and `--version` as a user types them: they print and exit 0,
// and start nothing, even with flags that would serve (-manifests).

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = join(root, 'packages/server/dist/bundle/minilb-server.mjs');
const demo = join(root, 'examples/demo-cluster.yaml');

// Runs the server and gives it 10 s to exit on its own; a server that starts serving instead
// is killed and reported as such.
function runServer(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

const serving = ['-manifests', demo, '-listen', '127.0.0.1:0', '-health', '127.0.0.1:0', '-explain', '127.0.0.1:0'];

describe('minilb-server --help and --version', () => {
  it.each([['--help'], ['-h'], ['-help']])('%s prints the flags, exits 0 and serves nothing', async (flag) => {
    const result = await runServer([...serving, flag]);
    expect(result.killed, 'the server kept running after printing the help').toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('minilb-server [flags]');
    expect(result.stdout).toContain('-manifests');
    expect(result.stdout).not.toContain('Try: dig');
    expect(result.stderr).toBe('');
  });

  it('--version prints the package version and exits 0', async () => {
    const result = await runServer([...serving, '--version']);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.stdout).not.toContain('Try: dig');
  });

  it('an unknown flag is one line naming it, exit 2', async () => {
    const result = await runServer([...serving, '-manifest-typo', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('minilb-server: unknown flag -manifest-typo (see minilb-server --help)\n');
    expect(result.stdout).toBe('');
  });
});
