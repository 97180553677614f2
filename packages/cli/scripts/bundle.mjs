// Bundles the CLI into one file, dist/minilb.mjs, with esbuild: `npx minilb-cli` then downloads
// one small package with no dependencies. The cluster code (@kubernetes/client-node) stays
// behind a dynamic import, which esbuild keeps lazy inside the one file, so `minilb routes
// --manifests` and `--help` never evaluate it. Paths are relative to this package.
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { leanDependencies } from '../../server/scripts/bundle-shims/lean-dependencies.mjs';

const pkg = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const serverShims = (name) => fileURLToPath(new URL(`../../server/scripts/bundle-shims/${name}`, import.meta.url));

await rm(pkg('dist/minilb.mjs'), { force: true });
const { version } = JSON.parse(await readFile(pkg('package.json'), 'utf8'));

await build({
  entryPoints: { minilb: pkg('src/program.ts') },
  outdir: pkg('dist'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'eof',
  minify: true,
  // The same stubs as the server bundle: client-node transports minilb never uses.
  // From the server's TypeScript source, so `npm start` can bundle without running tsc first.
  alias: {
    'minilb-server': fileURLToPath(new URL('../../server/src/public-api.ts', import.meta.url)),
    'node-fetch': serverShims('node-fetch.mjs'),
    'socks-proxy-agent': serverShims('proxy-agents.mjs'),
    hpagent: serverShims('proxy-agents.mjs'),
  },
  define: { MINILB_CLI_VERSION: JSON.stringify(version), MINILB_VERSION: JSON.stringify(version) },
  plugins: [leanDependencies],
  logLevel: 'warning',
  // Some bundled dependencies are CommonJS and call require().
  banner: { js: "import { createRequire as __minilbRequire } from 'node:module'; const require = __minilbRequire(import.meta.url);" },
});
