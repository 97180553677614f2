// The README's flag reference is checked against the yargs definitions, so it cannot drift:
// every flag the programs accept is documented, and every documented flag exists.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serverFlagNames } from 'minilb-server';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = () => readFile(join(root, 'README.md'), 'utf8');

function section(text: string, heading: string): string {
  const start = text.indexOf(heading);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\n### ', start + heading.length);
  return text.slice(start, next < 0 ? undefined : next);
}

async function helpFlags(...command: string[]): Promise<string[]> {
  const { stdout } = await run(process.execPath, [join(root, 'packages/cli/dist/main.js'), ...command, '--help']);
  return [...new Set([...stdout.matchAll(/^\s+(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]!))].filter((f) => f !== 'help' && f !== 'version').sort();
}

describe('README reference', () => {
  it('documents exactly the server flags', async () => {
    const table = section(await readme(), '### Server flags');
    const documented = [...table.matchAll(/^\| (`-[a-z-]+`(?:, `-[a-z-]+`)*) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`-([a-z-]+)`/g)].map((f) => f[1]!)).sort();
    expect(documented).toEqual([...serverFlagNames].sort());
  });

  it.each(['routes', 'inspect', 'corefile', 'doctor', 'secondary'])('documents exactly the flags of minilb %s', async (command) => {
    const table = section(await readme(), '### CLI');
    const row = table.split('\n').find((l) => l.startsWith(`| \`minilb ${command}`));
    expect(row, `a row for minilb ${command}`).toBeDefined();
    const documented = [...row!.split('|')[2]!.matchAll(/`--([a-z][a-z-]*)/g)].map((m) => m[1]!).sort();
    expect(documented).toEqual(await helpFlags(command));
  });
});
