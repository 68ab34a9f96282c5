// `npm run test:asterisk`: the shipped dialplan in a real, private Asterisk
// (test/asterisk/). Each file starts its own Asterisk and service, so files run
// in parallel; most of a call's time is prompts playing, not CPU.
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/asterisk/**/*.asterisk.ts'],
    reporters: ['default', new SummaryReporter()],
    globalSetup: ['test/support/redis-server.ts', 'test/asterisk/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 6,
    testTimeout: 90_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
  },
});
