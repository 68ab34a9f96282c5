// `npm start`: the agentgate service.
import module from 'node:module';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { startApp } from './app.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`agentgate: bad configuration: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const log = createLogger(config.logLevel);
if (config.ami.secret === '') log.warn('AMI_SECRET is empty: Asterisk will refuse the AMI login until it is set');

// Last line of defence: one bad session must never take every call down with it.
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

const app = await startApp(config, log);
// Issue 15: every module is loaded now; write their type-stripped sources to the
// compile cache (bin/compile-cache.mjs) at once rather than at exit, so that the
// next start skips the TypeScript stripper (about 18 MB) even after a crash or a kill.
module.flushCompileCache?.();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, graceMs: config.fastagi.shutdownGraceMs }, 'shutting down: no new sessions, letting running ones finish');
  await app.stop();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
