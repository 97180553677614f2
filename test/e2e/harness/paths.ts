// Where things live: the repository, the peer cache and the harness itself.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const harnessDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(harnessDir, '../../..');
export const cacheRoot = resolve(process.env.MINILB_E2E_CACHE ?? join(repoRoot, '.cache/e2e'));
