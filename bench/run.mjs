// `npm run bench [-- --quick]`: bundles bench/src (TypeScript, importing the e2e harness) with
// esbuild, the project's one build tool, then runs it. Node 20 cannot run TypeScript itself.
// Each module keeps its own import.meta.url, so the harness still finds the repository and
// its watchdog next to its source.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
// BENCH_ENTRY=scratch/x.ts runs another entry point (profiling helpers) the same way.
const entry = join(benchDir, process.env.BENCH_ENTRY ?? 'src/main.ts');
const outfile = join(benchDir, 'dist', basename(entry).replace(/\.ts$/, '.mjs'));

const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies (client-node, undici, yaml, minilb-server's compiled dist) load from node_modules.
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [keepImportMetaUrl],
});

process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(outfile).href);
process.exitCode = await main(process.argv.slice(2));
