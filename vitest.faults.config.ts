// `npm run test:faults`: the crash-point suite (test/faults/). For every Redis
// command and AMI action of a flow, a run that loses its reply, and for every
// command of a mobile's toggle and pause, an agent's login, pause, logout and
// forced logout, a real process killed there; about 7 minutes on 2 cores, so it is not part of `npm test`. CI runs it.
import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.ts'],
    reporters: ['default', new SummaryReporter()],
    globalSetup: ['test/support/redis-server.ts'],
    testTimeout: 600_000,
    hookTimeout: 30_000,
  },
});
