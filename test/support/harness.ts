// The whole service as a user runs it, in-process: the real FastAGI server and
// scripts, the real AMI client against the AMI double, a real Redis under this
// test's own prefix.
import { startApp, type App } from '../../lib/app.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { storeReady } from '../../lib/store/redis.ts';
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';
import { testRedis, type TestRedis } from './redis.ts';
import { waitFor } from './wait.ts';

export interface Harness {
  app: App;
  ami: AmiDouble;
  redis: TestRedis;
  port: number;
  stop(): Promise<void>;
}

export async function startHarness(opts: { env?: Record<string, string>; queues?: AmiDoubleOptions['queues']; logger?: Logger } = {}): Promise<Harness> {
  const redis = await testRedis();
  const ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: opts.queues ?? ['8008', '8009'] });
  const config = loadConfig({
    FASTAGI_PORT: '0',
    AMI_PORT: String(ami.port),
    AMI_USERNAME: 'agentgate',
    AMI_SECRET: 's3cret',
    AMI_ACTION_TIMEOUT_MS: '1000',
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    SHUTDOWN_GRACE_MS: '500',
    // Members as before issue 13 unless a test asks (state.test.ts, queue-scripts, test/faults, test/asterisk do).
    CONFIRM_ANSWER: 'off',
    MOBILE_RING_IN_USE: 'yes',
    DESK_STATE_INTERFACE: 'off',
    ...opts.env,
  });
  const app = await startApp(config, opts.logger ?? silentLogger);
  await waitFor(() => app.svc.ami.connected, 'AMI login');
  if (!opts.env?.REDIS_URL) {
    await storeReady(app.svc.store);
    // The re-sync after the first login reads Asterisk too: tests count actions after it.
    await waitFor(() => app.sync.status().lastResyncAt !== undefined, 'the first re-sync');
    await app.sync.idle();
  }
  return {
    app,
    ami,
    redis,
    port: app.port,
    async stop() {
      await app.stop();
      await ami.stop();
      await redis.cleanup();
    },
  };
}

export { waitFor };
