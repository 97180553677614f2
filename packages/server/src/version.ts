// minilb-server's version, for minilb_build_info and logs. The bundle has it compiled in
// (packages/server/scripts/bundle.mjs defines MINILB_VERSION); tsc builds and tests read package.json,
// which sits one folder above both src/ and dist/.

import { readFileSync } from 'node:fs';

declare const MINILB_VERSION: string | undefined;

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export const serverVersion: string = typeof MINILB_VERSION === 'string' ? MINILB_VERSION : packageVersion();
