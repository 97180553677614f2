// The CLI's version: stamped into the bundle at build time, else read from package.json
// (the unbundled dist/ of a workspace checkout).

import { readFileSync } from 'node:fs';

declare const MINILB_CLI_VERSION: string | undefined;

export function programVersion(): string {
  if (typeof MINILB_CLI_VERSION === 'string') return MINILB_CLI_VERSION;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
