// (b) The service under test, in a process of its own: built exactly as
// lib/main.ts builds it (startApp, the pino logger at LOG_LEVEL writing to
// stdout, which the runner points at /dev/null), configured from the
// environment the runner passes. Answers the runner's questions about its CPU,
// memory and what it still holds open.
import { startApp } from '../../../lib/app.ts';
import { loadConfig } from '../../../lib/config.ts';
import { createLogger } from '../../../lib/log.ts';
import { storeReady } from '../../../lib/store/redis.ts';
import { serve } from '../support/child.ts';
import { activeResources, openDescriptors } from '../support/procfs.ts';
import { settleHeap, statsHandlers } from '../support/self-stats.ts';

const config = loadConfig(process.env);
const log = createLogger(config.logLevel);
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const app = await startApp(config, log);
await storeReady(app.svc.store, 5000);
const deadline = Date.now() + 5000;
while (!app.svc.ami.connected) {
  if (Date.now() > deadline) throw new Error('the service did not log in to the AMI double');
  await new Promise((r) => setTimeout(r, 10));
}

function listeners(emitter: NodeJS.EventEmitter): number {
  return emitter.eventNames().reduce((n, name) => n + emitter.listenerCount(name), 0);
}

serve(
  {
    ...statsHandlers,
    /** Everything that must come back to its baseline after a soak. */
    async inventory() {
      const redis = app.svc.store.redis as unknown as { commandQueue: { length: number }; offlineQueue: { length: number } };
      return {
        heapUsed: await settleHeap(),
        rss: process.memoryUsage().rss,
        active: activeResources(),
        descriptors: openDescriptors(),
        listeners: { ami: listeners(app.svc.ami), redis: listeners(app.svc.store.redis), process: listeners(process) },
        redisCommandsInFlight: redis.commandQueue.length,
        redisOfflineQueue: redis.offlineQueue.length,
      };
    },
    stop: () => app.stop(),
  },
  { port: app.port, apiPort: app.apiPort ?? null },
);
