// Tests that run inside workerd (Cloudflare's runtime) through @cloudflare/vitest-pool-workers, with the
// Worker's real wrangler.toml: the same entry, bindings and static assets as `wrangler dev`.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // A test-only signing secret (production sets SHARD_SECRET with `wrangler secret put`).
      miniflare: { bindings: { SHARD_SECRET: 'test-shard-secret-0123456789' } },
    }),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
