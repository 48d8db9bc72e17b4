// Tests that run inside workerd (Cloudflare's runtime) through @cloudflare/vitest-pool-workers, with the
// Worker's real wrangler.toml: the same entry, bindings and static assets as `wrangler dev`.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
