// Each test gets its own key prefix on the shared real Redis and deletes only
// the keys under that prefix when it ends.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { makeKeys } from '../../lib/store/keys.ts';
import type { Store } from '../../lib/store/redis.ts';

export interface TestRedis {
  url: string;
  redis: Redis;
  prefix: string;
  /** The store modules' view of this connection and prefix. */
  store: Store;
  /** Deletes every key under this test's prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const url = inject('redisUrl');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `agtest:${randomUUID().slice(0, 8)}:`;
  return {
    url,
    redis,
    prefix,
    store: { redis, keys: makeKeys(prefix), auditMaxLen: 100 },
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
