// The benchmark's own corner of a real Redis: a random key prefix, the
// allowlist the toggles need, an inventory of what is left under the prefix,
// and deletion of those keys (and only those) at the end.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { allowNumber } from '../../../lib/queues/allowlist.ts';
import { makeKeys } from '../../../lib/store/keys.ts';
import type { Store } from '../../../lib/store/redis.ts';

export interface BenchRedis {
  url: string;
  prefix: string;
  store: Store;
  /** Allows `numbers` into `queue`, as an admin would before the shift. */
  allow(queue: string, numbers: readonly string[]): Promise<void>;
  /** Redis server CPU (user + system) so far, ms: what the service makes Redis spend. */
  serverCpuMs(): Promise<number>;
  inventory(): Promise<KeyInventory>;
  cleanup(): Promise<void>;
}

export interface KeyInventory {
  /** Keys under the prefix by kind (the part after the prefix up to the first ':'). */
  byKind: Record<string, number>;
  /** Entries of the members hashes, all queues together. */
  memberRecords: number;
  /** Changes begun and never recorded (must be 0 when nothing runs). */
  intents: number;
  auditLength: number;
}

export async function openBenchRedis(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'): Promise<BenchRedis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`No Redis answers at ${url} (${(err as Error).message}). Start one (redis-server, or docker run -p 6379:6379 redis:7) or set REDIS_URL.`);
  }
  const prefix = `agbench:${randomBytes(4).toString('hex')}:`;
  const store: Store = { redis, keys: makeKeys(prefix), auditMaxLen: 10_000 };

  const scan = async (): Promise<string[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  };

  return {
    url,
    prefix,
    store,
    async allow(queue, numbers) {
      for (let i = 0; i < numbers.length; i += 500) {
        await Promise.all(numbers.slice(i, i + 500).map((number) => allowNumber(store, queue, { number, penalty: 0, name: `Agent ${number}` }, { source: 'cli', by: 'test' })));
      }
    },
    async serverCpuMs() {
      const info = await redis.info('cpu');
      const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
    },
    async inventory() {
      const keys = await scan();
      const byKind: Record<string, number> = {};
      for (const key of keys) {
        const kind = key.slice(prefix.length).split(':')[0] ?? '';
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      }
      let memberRecords = 0;
      for (const key of keys.filter((k) => k.startsWith(`${prefix}members:`))) memberRecords += await redis.hlen(key);
      return {
        byKind,
        memberRecords,
        intents: await redis.hlen(store.keys.intents()),
        auditLength: await redis.xlen(store.keys.audit()).catch(() => 0),
      };
    },
    async cleanup() {
      const keys = await scan();
      for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
      redis.disconnect();
    },
  };
}
