import { reapplyCompatGlobals } from './agents/compat-globals.ts';
import { agentDeps } from './agents/deps.ts';
import { AmiClient } from './ami/client.ts';
import { createFastAgiServer } from './agi/server.ts';
import type { Config } from './config.ts';
import { checkHealth } from './health.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import type { Logger } from './log.ts';
import { compileNumberRules } from './numbers.ts';
import { loadScripts } from './scripts.ts';
import type { Services } from './services.ts';
import { openStore } from './store/redis.ts';
import { startSync, type SyncService } from './sync/start.ts';

export interface App {
  svc: Services;
  /** The FastAGI port actually bound (FASTAGI_PORT=0 picks a free one). */
  port: number;
  /** Keeps Redis, Asterisk and the BLF lamps in step (lib/sync). */
  sync: SyncService;
  /** The health port actually bound; undefined when HEALTH_PORT is off. */
  healthPort: number | undefined;
  stop(): Promise<void>;
}

// Member events (agent class) for live tracking; FullyBooted and Shutdown
// (system class) for restart detection and the re-sync after a boot.
const AMI_EVENTS = 'system,agent';

/**
 * Builds every part by hand, in one place, and starts them. The FastAGI port
 * opens even when Asterisk or Redis is not there yet: callers then get a clear
 * failure (AGENTGATE_RESULT=ERROR) until they are, and the log says so.
 */
export async function startApp(config: Config, log: Logger): Promise<App> {
  const store = openStore({ url: config.redis.url, prefix: config.redis.prefix, auditMaxLen: config.queues.auditMaxLen, logger: log.child({ part: 'redis' }) });
  const ami = new AmiClient({ ...config.ami, events: AMI_EVENTS, logger: log.child({ part: 'ami' }) });
  const svc: Services = { config, ami, store, numbers: compileNumberRules(config.numbers), log };
  const sync = startSync({
    ami,
    store,
    log: log.child({ part: 'sync' }),
    config: config.sync,
    // What only Asterisk's memory held and a restart wiped: the AGENTBYCALLERID_
    // globals of the agent bindings (a no-op unless AGENT_COMPAT_GLOBALS is on).
    afterRestart: async () => {
      await reapplyCompatGlobals(agentDeps(svc, log.child({ part: 'agents' })));
    },
  });
  ami.start();
  const server = createFastAgiServer({ config: config.fastagi, logger: log.child({ part: 'fastagi' }), scripts: await loadScripts(svc) });
  const { port } = await server.listen();
  let listening = true;
  log.info({ host: config.fastagi.host, port }, 'fastagi listening');
  let health: HealthServer | undefined;
  if (config.health.port !== null) {
    health = await startHealthServer({
      host: config.health.host,
      port: config.health.port,
      check: () => checkHealth({ fastagiListening: () => listening, ami, store, sync }),
      log: log.child({ part: 'health' }),
    });
  }
  return {
    svc,
    port,
    sync,
    healthPort: health?.port,
    async stop() {
      // /readyz answers 503 while the running sessions drain.
      listening = false;
      await server.close();
      await sync.stop();
      await health?.close();
      await ami.close();
      store.redis.disconnect();
    },
  };
}
