// (b) The service under test, in a process of its own: built exactly as
// lib/main.ts builds it (startApp, the pino logger at LOG_LEVEL writing to
// stdout, which the runner points at /dev/null), configured from the
// environment the runner passes. Answers the runner's questions about its CPU,
// memory and what it still holds open.
import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';
import { startApp } from '../../../lib/app.ts';
import { loadConfig } from '../../../lib/config.ts';
import { createLogger } from '../../../lib/log.ts';
import { storeReady } from '../../../lib/store/redis.ts';
import { exitIfPriming, serve } from '../support/child.ts';
import { activeResources, openDescriptors } from '../support/procfs.ts';
import { settleHeap, statsHandlers } from '../support/self-stats.ts';

exitIfPriming();

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

// What goes over the wire to Redis and Asterisk, counted here so the bench can
// say how many round trips a toggle costs: Redis commands as the client sends
// them, and the writes that carry them, counted at the socket (the commands of
// one pipeline, or of one event-loop turn (lib/store/cork.ts), share one).
const wire = { redisCommands: 0, redisWrites: 0, redisByCommand: {} as Record<string, number> };
{
  const redis = app.svc.store.redis as unknown as NodeJS.EventEmitter & { sendCommand: (command: unknown, ...rest: unknown[]) => unknown; stream?: Record<string, unknown> };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, ...rest) => {
    wire.redisCommands += 1;
    const name = (command as { name: string }).name;
    wire.redisByCommand[name] = (wire.redisByCommand[name] ?? 0) + 1;
    return send(command, ...rest);
  };
  const counted = new WeakSet<object>();
  const countWrites = (socket: Record<string, unknown> | undefined) => {
    if (!socket || counted.has(socket)) return;
    counted.add(socket);
    for (const method of ['_write', '_writev']) {
      const real = socket[method] as (...args: unknown[]) => unknown;
      socket[method] = function (this: unknown, ...args: unknown[]) {
        wire.redisWrites += 1;
        return real.apply(this, args);
      };
    }
  };
  countWrites(redis.stream);
  redis.on('connect', () => countWrites(redis.stream));
}

/** AMI actions sent so far, by action, from the service's own metrics. */
async function amiActions(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await app.metrics.text()).matchAll(/^agentgate_ami_action_duration_seconds_count\{action="([^"]+)",result="[^"]+"\} (\d+)$/gm)) {
    out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}

let inspector: Session | undefined;

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
    wire: async () => ({ ...wire, amiActions: await amiActions() }),
    /** Writes a heap snapshot (by hand, not in the bench: it stops the process for seconds); returns its path. */
    heapSnapshot: (file?: string) => v8.writeHeapSnapshot(file),
    /** Starts V8's sampling heap profiler, counting what the GC has collected too: where the allocations come from (by hand). */
    async allocStart() {
      inspector ??= new Session();
      inspector.connect();
      await inspector.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    },
    /** Stops it; the profile (a tree of call frames with selfSize) is returned whole. */
    async allocStop() {
      const { profile } = await inspector!.post('HeapProfiler.stopSampling');
      inspector!.disconnect();
      return profile;
    },
    stop: () => app.stop(),
  },
  { port: app.port, apiPort: app.apiPort ?? null },
);
