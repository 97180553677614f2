import { defineConfig } from 'vitest/config';

// One config, one project per package; the real-cluster scenarios are their own project
// so `npm test` stays fast and `npm run test:e2e` pays for the peers. Tests that bound answer
// latency while the server is under attack or reloading run last, one file at a time, so the
// other test files' CPU does not count against their bounds.
const latencyBound = ['src/hostile-clients.test.ts', 'src/large-manifest-reload.test.ts'];
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          root: 'packages/server',
          include: ['src/**/*.test.ts'],
          exclude: latencyBound,
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'latency',
          root: 'packages/server',
          include: latencyBound,
          testTimeout: 20_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'cli',
          root: 'packages/cli',
          include: ['src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          root: 'test/e2e',
          include: ['**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
