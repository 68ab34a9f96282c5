import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/support/redis-server.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
