// An esbuild plugin that keeps what the server never calls out of its bundle (each figure is
// RSS at run time, measured on Node 20):
// - @kubernetes/client-node: only KubeConfig is used (credentials, exec plugins, token files),
//   so the bundle gets config.js, not the package index; and config.js gets the two helpers it
//   takes from gen/ instead of gen/index.js, which pulls in about 720 generated API and model
//   classes that tree-shaking cannot drop (4-8 MiB, 2.3 MiB of heap).
// - undici: only Agent and request() are used; its CommonJS index loads every dispatcher,
//   fetch, WebSocket, the cache and the mocks (8.5 MiB, 3 MiB of heap): undici-request.mjs.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const clientNodeDist = dirname(require.resolve('@kubernetes/client-node'));
const configJs = join(clientNodeDist, 'config.js');
const undiciRequest = fileURLToPath(new URL('undici-request.mjs', import.meta.url));
const namespace = 'lean-dependencies';

export const leanDependencies = {
  name: namespace,
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: configJs }));
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      args.importer === configJs ? { path: 'client-node-gen-for-config', namespace } : undefined,
    );
    build.onLoad({ filter: /^client-node-gen-for-config$/, namespace }, () => ({
      contents: `export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n`,
      resolveDir: join(clientNodeDist, 'gen'),
      loader: 'js',
    }));
    // Exactly "undici" (the shim itself imports undici/lib/...).
    build.onResolve({ filter: /^undici$/ }, () => ({ path: undiciRequest }));
  },
};
