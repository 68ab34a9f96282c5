import { reapplyCompatGlobals } from './agents/compat-globals.ts';
import { AmiClient } from './ami/client.ts';
import { AMI_EVENT_MASK } from './ami/subscriptions.ts';
import { createFastAgiServer } from './agi/server.ts';
import type { ApiServer } from './api/server.ts';
import type { Config } from './config.ts';
import { checkHealth } from './health.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { LiveFeed } from './live/feed.ts';
import { LiveHub } from './live/hub.ts';
import { SseStreams } from './live/sse.ts';
import type { Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { compileNumberRules } from './numbers.ts';
import { routes } from '../agi/routes.ts';
import { agentDeps, type Services } from './services.ts';
import { canonicalQueueNames } from './store/migrate.ts';
import { openStore } from './store/redis.ts';
import { AutoPause } from './sync/auto-pause.ts';
import { QueueLogSessions } from './sync/queue-log.ts';
import { startSync, type SyncService } from './sync/start.ts';

export interface App {
  svc: Services;
  /** The FastAGI port actually bound (FASTAGI_PORT=0 picks a free one). */
  port: number;
  /** Keeps Redis, Asterisk and the BLF lamps in step (lib/sync). */
  sync: SyncService;
  /** The health port actually bound; undefined when HEALTH_PORT is off. */
  healthPort: number | undefined;
  /** The agent/queue model fed by AMI events, behind the live stream and the API. */
  live: LiveFeed;
  metrics: Metrics;
  /** Pauses members after unanswered rings (lib/sync/auto-pause.ts). */
  autoPause: AutoPause;
  /** The admin API port actually bound; undefined when the API is off. */
  apiPort: number | undefined;
  stop(): Promise<void>;
}

/**
 * Builds every part by hand, in one place, and starts them. The FastAGI port
 * opens even when Asterisk or Redis is not there yet: callers then get a clear
 * failure (AGENTGATE_RESULT=ERROR) until they are, and the log says so.
 */
export async function startApp(config: Config, log: Logger): Promise<App> {
  const store = openStore({ url: config.redis.url, prefix: config.redis.prefix, auditMaxLen: config.queues.auditMaxLen, lockTtlMs: config.redis.lockTtlMs, logger: log.child({ part: 'redis' }) });
  // Older data is brought to the current form whenever Redis is (back) up: two SMEMBERS when there is nothing to do.
  store.redis.on('ready', () => {
    canonicalQueueNames(store, log).catch((err: Error) => log.warn({ err: err.message }, 'stored queue names not checked'));
  });
  const metrics = createMetrics();
  const ami = new AmiClient({ ...config.ami, events: AMI_EVENT_MASK, logger: log.child({ part: 'ami' }), onAction: (a) => metrics.amiAction(a) });
  const svc: Services = { config, ami, store, numbers: compileNumberRules(config.numbers), log };
  const sync = startSync({
    ami,
    store,
    log: log.child({ part: 'sync' }),
    config: config.sync,
    members: config.queues.members,
    // What only Asterisk's memory held and a restart wiped: the AGENTBYCALLERID_
    // globals of the agent bindings (a no-op unless AGENT_COMPAT_GLOBALS is on).
    afterRestart: async () => {
      await reapplyCompatGlobals(agentDeps(svc, log.child({ part: 'agents' })));
    },
  });
  // Own recorded changes tell the sync which member events they caused, so it
  // does not reconcile them again (lib/sync/own-changes.ts).
  svc.ownChanges = sync.own;
  svc.settleUnfinished = (agentId) => sync.settleUnfinished(agentId);
  const autoPause = new AutoPause({
    ami, store, log: log.child({ part: 'auto-pause' }), config: config.autoPause,
    deps: agentDeps(svc, log.child({ part: 'auto-pause' })), onAutoPause: (q, reason) => metrics.autoPause(q, reason),
    ownAdd: (q, iface) => sync.own.ownAdd(q, iface),
  });
  autoPause.start();
  const queueLog = config.queueLogSessions ? new QueueLogSessions(ami, log.child({ part: 'queue-log' })) : undefined;
  queueLog?.start();
  const hub = new LiveHub();
  const live = new LiveFeed({ ami, store, hub, log: log.child({ part: 'live' }) });
  live.start();
  svc.mirror = live;
  const streams = new SseStreams({ feed: live, hub, budgetBytes: config.api.streamBufferBytes, maxStreamsPerToken: config.api.streamsPerToken });
  metrics.watch({ ami, store, live, streams });
  ami.start();
  const server = createFastAgiServer({
    config: config.fastagi, logger: log.child({ part: 'fastagi' }), scripts: routes(svc), onSessionEnd: (e) => metrics.fastagiSession(e),
  });
  const { port } = await server.listen();
  let listening = true;
  log.info({ host: config.fastagi.host, port }, 'fastagi listening');
  const check = () => checkHealth({ fastagiListening: () => listening, ami, store, sync });
  let health: HealthServer | undefined;
  if (config.health.port !== null) {
    health = await startHealthServer({
      host: config.health.host,
      port: config.health.port,
      check,
      log: log.child({ part: 'health' }),
    });
  }
  let api: ApiServer | undefined;
  if (config.api.port !== null) {
    // Issue 15: the admin API (fastify and its routes) is loaded only when it is
    // on; with it off, the process is about 5 MB of heap and 20 MB of RSS smaller.
    const { startApi } = await import('./api/server.ts');
    api = await startApi({
      svc, feed: live, streams, metrics, tokens: config.api.tokens, metricsPublic: config.api.metricsPublic, corsOrigins: config.api.corsOrigins,
      maxConnections: config.api.maxConnections,
      health: check,
      log: log.child({ part: 'api' }),
    }, { host: config.api.host, port: config.api.port });
  } else if (config.api.tokens.length === 0) {
    log.info('admin API off: set API_TOKENS or API_TOKENS_FILE (name:read|admin:token,...) to turn it on');
  }
  return {
    svc,
    port,
    sync,
    healthPort: health?.port,
    live,
    metrics,
    autoPause,
    apiPort: api?.port,
    async stop() {
      // /readyz answers 503 while the running sessions drain. The FastAGI
      // server bounds its own drain (SHUTDOWN_GRACE_MS); every other part gets
      // a few seconds, so a stuck part is named in the log and never keeps a
      // stopping service alive.
      listening = false;
      const step = (name: string, work: Promise<unknown> | undefined) => bounded(log, name, work, STOP_STEP_MS);
      await step('api', api?.close());
      await server.close();
      await step('live', live.stop());
      await step('auto-pause', autoPause.stop());
      await step('queue-log', queueLog?.stop());
      await step('sync', sync.stop());
      await step('health', health?.close());
      await step('ami', ami.close());
      store.redis.disconnect();
    },
  };
}

const STOP_STEP_MS = 3000;

async function bounded(log: Logger, name: string, work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([work.then(() => 'done' as const, () => 'done' as const), late])) === 'late') {
      log.warn({ part: name, ms }, 'part did not stop in time; stopping without it');
    }
  } finally {
    clearTimeout(timer);
  }
}
