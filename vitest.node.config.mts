// Node-side test suite: library, CLI, runtime (native and wasm), models. Workerd tests live in test/workers
// and run with vitest.config.mts; browser tests drive Debian's Chromium from test/browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/workers/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
