// Bundles minilb-server into dist/bundle/ with esbuild: tree-shaking @kubernetes/client-node
// down to the classes minilb uses is the largest memory saving there is (importing the whole
// library costs about 115 MiB RSS, the bundle runs in about 70), and code splitting keeps the
// cluster-mode code out of -manifests runs. Paths are relative to this package, wherever it
// is run from.
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { leanDependencies } from './bundle-shims/lean-dependencies.mjs';

const pkg = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

await rm(pkg('dist/bundle'), { recursive: true, force: true });
const { version } = JSON.parse(await readFile(pkg('package.json'), 'utf8'));

await build({
  // The manifest parse worker is its own entry: a worker thread loads it by file name.
  entryPoints: { 'minilb-server': pkg('src/main.ts'), 'manifest-parse-worker': pkg('src/sources/manifest-parse-worker.ts') },
  outdir: pkg('dist/bundle'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  minify: true,
  // Optional transports of client-node that minilb never uses (it talks to the API server
  // with undici): stubs keep them and their dependencies out of the bundle.
  alias: {
    'node-fetch': pkg('scripts/bundle-shims/node-fetch.mjs'),
    'socks-proxy-agent': pkg('scripts/bundle-shims/proxy-agents.mjs'),
    hpagent: pkg('scripts/bundle-shims/proxy-agents.mjs'),
  },
  // minilb_build_info's version label (src/version.ts): the bundle has no package.json beside it.
  define: { MINILB_VERSION: JSON.stringify(version) },
  plugins: [leanDependencies],
  logLevel: 'warning',
  // Some bundled dependencies are CommonJS and call require().
  banner: { js: "import { createRequire as __minilbRequire } from 'node:module'; const require = __minilbRequire(import.meta.url);" },
});
