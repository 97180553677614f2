// Bundles minilb-server into packages/server/dist/bundle/ with esbuild: tree-shaking
// @kubernetes/client-node down to the classes minilb uses is the largest memory saving there
// is (see NOTES.md), and code splitting keeps the cluster-mode code out of -manifests runs.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('packages/server/dist/bundle', { recursive: true, force: true });
const { version } = JSON.parse(await readFile('packages/server/package.json', 'utf8'));

await build({
  entryPoints: { 'minilb-server': 'packages/server/src/main.ts' },
  outdir: 'packages/server/dist/bundle',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  minify: true,
  alias: {
    'node-fetch': './scripts/bundle-shims/node-fetch.mjs',
    'socks-proxy-agent': './scripts/bundle-shims/proxy-agents.mjs',
    hpagent: './scripts/bundle-shims/proxy-agents.mjs',
  },
  // minilb_build_info's version label (src/version.ts): the bundle has no package.json beside it.
  define: { MINILB_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
  // Some bundled dependencies are CommonJS and call require().
  banner: { js: "import { createRequire as __minilbRequire } from 'node:module'; const require = __minilbRequire(import.meta.url);" },
});
