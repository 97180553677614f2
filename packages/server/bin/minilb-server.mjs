#!/usr/bin/env node
// `minilb-server`: runs the bundle `npm run build` writes (dist/bundle/). Committed rather than
// a pointer into dist/ because npm links a workspace's bin only if the file exists when
// `npm ci` runs, and on a fresh clone dist/ does not exist yet.
try {
  await import(new URL('../dist/bundle/minilb-server.mjs', import.meta.url).href);
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('minilb-server.mjs')) throw err;
  process.stderr.write('minilb-server: the server is not built yet: run `npm run build` in the minilb checkout\n');
  process.exitCode = 1;
}
