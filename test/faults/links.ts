// What both fault suites stand on: a real Redis (this test's own prefix) and
// the AMI double with queues 8008 and 8009, each behind a fault proxy that can
// lose the reply of any one command, and the service configuration that
// points at the proxies.
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

export interface FaultyLinks {
  ami: AmiDouble;
  redis: TestRedis;
  redisProxy: FaultProxy;
  amiProxy: FaultProxy;
  /** The service's environment for these links (AMI, Redis, short AMI timeouts, no rate limit, members through from-queue). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `hints`: the dialplan's hints (phone keys), which the re-sync reads to find lamps left lit. */
export async function faultyLinks(o: { hints?: AmiDoubleOptions['hints'] } = {}): Promise<FaultyLinks> {
  const redis = await testRedis();
  const ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: [{ name: '8008', ringinuse: true }, { name: '8009', ringinuse: true }], ...(o.hints ? { hints: o.hints } : {}) });
  const url = new URL(redis.url);
  const redisProxy = await startFaultProxy({ host: url.hostname, port: Number(url.port) }, 'redis');
  const amiProxy = await startFaultProxy({ host: '127.0.0.1', port: ami.port }, 'ami');
  return {
    ami, redis, redisProxy, amiProxy,
    env: {
      AMI_PORT: String(amiProxy.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret', AMI_ACTION_TIMEOUT_MS: '1000',
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}${url.pathname}`, REDIS_PREFIX: redis.prefix,
      TOGGLE_RATE_LIMIT: '10000', MEMBER_CONTEXT: 'from-queue',
    },
    async stop() {
      await redisProxy.stop();
      await amiProxy.stop();
      await ami.stop();
      await redis.cleanup();
    },
  };
}
