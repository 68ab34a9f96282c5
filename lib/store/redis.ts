import { Redis, type ChainableCommander } from 'ioredis';
import { StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { corkEachTurn } from './cork.ts';
import { makeKeys, type Keys } from './keys.ts';
import { compareText } from '../compare-text.ts';

/** What every store module takes: one shared connection and the key builder. */
export interface Store {
  redis: Redis;
  keys: Keys;
  /** Cap of the audit stream (approximate, XADD MAXLEN ~). */
  auditMaxLen: number;
  /** Locks' time to live (lib/store/lock.ts); default 15 s. */
  lockTtlMs?: number;
}

export interface StoreOptions {
  url: string;
  prefix: string;
  auditMaxLen?: number;
  lockTtlMs?: number;
  logger?: Logger;
}

// Commands must fail fast while Redis is away, so a caller on the line hears a
// failure prompt in a second rather than after ioredis' default 20 retries;
// the connection itself keeps retrying in the background and comes back alone.
export function openStore(opts: StoreOptions): Store {
  const redis = corkEachTurn(new Redis(opts.url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000,
    // A command whose reply a dropped connection lost may have been carried
    // out: sending it again after the reconnect could apply a change twice, or
    // apply one its caller was told had failed. The caller decides (lib/members/change.ts).
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000) + Math.floor(Math.random() * 200),
  }));
  let down = false;
  redis.on('error', (err) => {
    if (!down) opts.logger?.warn({ err: err.message }, 'redis unavailable');
    down = true;
  });
  redis.on('ready', () => {
    if (down) opts.logger?.info('redis available again');
    else opts.logger?.info('redis ready');
    down = false;
  });
  return { redis, keys: makeKeys(opts.prefix), auditMaxLen: opts.auditMaxLen ?? 100_000, ...(opts.lockTtlMs ? { lockTtlMs: opts.lockTtlMs } : {}) };
}

/**
 * Runs one store operation and turns any Redis failure (connection down, timeout,
 * offline queue refused) into StoreUnavailableError, the one error callers
 * branch on to fail closed.
 */
export async function storeOp<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw err;
    throw new StoreUnavailableError(`Redis unavailable during ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Runs a MULTI or a pipeline and returns each command's reply. A transaction
 * Redis aborted, or any command in it that failed, fails the whole step with
 * StoreUnavailableError: callers branch on one error, whatever went wrong.
 */
export async function execTx(what: string, tx: ChainableCommander): Promise<unknown[]> {
  return storeOp(what, async () => {
    const res = await tx.exec();
    if (!res) throw new Error('transaction aborted');
    return res.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  });
}

/**
 * The hash of each member of a set (agents, bindings), read in one pipeline,
 * ordered by the member as a number ("7" before "10"), those `parse` rejects left out.
 */
export async function readHashesOfSet<T>(store: Store, what: string, set: string, keyOf: (id: string) => string, parse: (id: string, h: Record<string, string>) => T | null): Promise<T[]> {
  const ids = (await storeOp(what, () => store.redis.smembers(set))).sort((a, b) => compareText(a.padStart(20, '0'), b.padStart(20, '0')) || a.length - b.length);
  if (ids.length === 0) return [];
  const pipe = store.redis.pipeline();
  for (const id of ids) pipe.hgetall(keyOf(id));
  const rows = await execTx(what, pipe);
  return ids.flatMap((id, i) => {
    const v = parse(id, rows[i] as Record<string, string>);
    return v === null ? [] : [v];
  });
}

/**
 * Runs `step` in the background until it succeeds, trying again every
 * `everyMs` for `forMs` (what must still happen once Redis, or Asterisk,
 * answers again); `gaveUp` hears the last failure.
 */
export function retryLater(step: () => Promise<unknown>, o: { firstMs: number; everyMs: number; forMs: number; gaveUp?: (err: Error) => void }): void {
  const until = Date.now() + o.forMs;
  const attempt = (): void => {
    step().catch((err: Error) => {
      if (Date.now() < until) setTimeout(attempt, o.everyMs).unref();
      else o.gaveUp?.(err);
    });
  };
  setTimeout(attempt, o.firstMs).unref();
}

/** Resolves once the connection is ready; for tools that start and act at once. */
export async function storeReady(store: Store, timeoutMs = 3000): Promise<void> {
  if (store.redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      store.redis.off('ready', onReady);
      reject(new StoreUnavailableError(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    store.redis.once('ready', onReady);
  });
}

/** True when Redis answers PING within `ms`; never throws (commands fail at once while disconnected). */
export async function redisAnswers(store: Store, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      store.redis.ping().then((r) => r === 'PONG'),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
