import { AmiClient } from './ami/client.ts';
import { createFastAgiServer } from './agi/server.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { compileNumberRules } from './numbers.ts';
import { loadScripts } from './scripts.ts';
import type { Services } from './services.ts';
import { openStore } from './store/redis.ts';

export interface App {
  svc: Services;
  /** The FastAGI port actually bound (FASTAGI_PORT=0 picks a free one). */
  port: number;
  stop(): Promise<void>;
}

/**
 * Builds every part by hand, in one place, and starts them. The FastAGI port
 * opens even when Asterisk or Redis is not there yet: callers then get a clear
 * failure (AGENTGATE_RESULT=ERROR) until they are, and the log says so.
 */
export async function startApp(config: Config, log: Logger): Promise<App> {
  const store = openStore({ url: config.redis.url, prefix: config.redis.prefix, auditMaxLen: config.queues.auditMaxLen, logger: log.child({ part: 'redis' }) });
  const ami = new AmiClient({ ...config.ami, logger: log.child({ part: 'ami' }) });
  const svc: Services = { config, ami, store, numbers: compileNumberRules(config.numbers), log };
  ami.start();
  const server = createFastAgiServer({ config: config.fastagi, logger: log.child({ part: 'fastagi' }), scripts: await loadScripts(svc) });
  const { port } = await server.listen();
  log.info({ host: config.fastagi.host, port }, 'fastagi listening');
  return {
    svc,
    port,
    async stop() {
      await server.close();
      await ami.close();
      store.redis.disconnect();
    },
  };
}
