import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/support/redis-server.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
