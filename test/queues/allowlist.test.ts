import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowNumber, authorize, disallowNumber, listAllowed, setPolicy } from '../../lib/queues/allowlist.ts';
import { releaseLocks, startLocked } from '../../lib/store/lock.ts';
import { readAudit } from '../../lib/store/audit.ts';
import type { Store } from '../../lib/store/redis.ts';
import { BadParamsError, NotAuthorizedError, RateLimitedError, StoreUnavailableError } from '../../lib/errors.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { Redis } from 'ioredis';
import { waitFor } from '../support/wait.ts';

let t: TestRedis;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = t.store;
});
afterEach(() => t.cleanup());

describe('queue authorization', () => {
  it('refuses a number that is not listed when the queue has no policy (secure by default)', async () => {
    await expect(authorize(store, '8008', '79112223344')).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it('gives a listed number the penalty and name from the list', async () => {
    await allowNumber(store, '8008', { number: '79112223344', penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    expect(await authorize(store, '8008', '79112223344')).toEqual({ number: '79112223344', penalty: 2, name: 'Ivan Petrov' });
    await expect(authorize(store, '8009', '79112223344')).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it('lets anyone in only when the queue is explicitly open', async () => {
    await setPolicy(store, '8008', 'open', { source: 'cli', by: 'test' });
    expect(await authorize(store, '8008', '79110000000')).toMatchObject({ penalty: 0, name: '79110000000' });
    await setPolicy(store, '8008', 'list', { source: 'cli', by: 'test' });
    await expect(authorize(store, '8008', '79110000000')).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it('stops authorizing a number taken off the list', async () => {
    await allowNumber(store, '8008', { number: '79112223344', penalty: 0, name: 'A' }, { source: 'cli', by: 'test' });
    expect(await disallowNumber(store, '8008', '79112223344', { source: 'cli', by: 'test' })).toBe(true);
    expect(await disallowNumber(store, '8008', '79112223344', { source: 'cli', by: 'test' })).toBe(false);
    expect(await listAllowed(store, '8008')).toEqual([]);
    await expect(authorize(store, '8008', '79112223344')).rejects.toBeInstanceOf(NotAuthorizedError);
  });

  it('refuses member names Asterisk would corrupt in astdb, and bad penalties', async () => {
    await expect(allowNumber(store, '8008', { number: '1', penalty: 0, name: 'Petrov; Ivan' }, { source: 'cli', by: 'test' })).rejects.toBeInstanceOf(BadParamsError);
    await expect(allowNumber(store, '8008', { number: '1', penalty: -1, name: 'x' }, { source: 'cli', by: 'test' })).rejects.toBeInstanceOf(BadParamsError);
    await expect(allowNumber(store, '8008', { number: '1', penalty: 0, name: 'a\r\nb' }, { source: 'cli', by: 'test' })).rejects.toBeInstanceOf(BadParamsError);
    expect(await listAllowed(store, '8008')).toEqual([]);
  });

  it('records every allowlist change in the audit trail with who made it, and nothing for a no-op removal', async () => {
    await allowNumber(store, '8008', { number: '79112223344', penalty: 3, name: 'A' }, { source: 'api', by: 'supervisor' });
    await setPolicy(store, '8008', 'open', { source: 'cli', by: 'alice' });
    expect(await disallowNumber(store, '8008', '79110000000', { source: 'cli', by: 'alice' })).toBe(false);
    await disallowNumber(store, '8008', '79112223344', { source: 'cli', by: 'alice' });
    const trail = (await readAudit(store)).map((a) => [a.action, a.subject, a.queue, a.source, a.by, a.detail ?? '']);
    expect(trail).toEqual([
      ['disallow', '79112223344', '8008', 'cli', 'alice', ''],
      ['policy', '8008', '8008', 'cli', 'alice', 'open'],
      ['allow', '79112223344', '8008', 'api', 'supervisor', 'penalty=3'],
    ]);
  });

  it('fails closed when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1/0', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const deadStore: Store = { ...store, redis: dead };
    await expect(authorize(deadStore, '8008', '79112223344')).rejects.toBeInstanceOf(StoreUnavailableError);
    dead.disconnect();
  });
});

describe('toggle rate limit', () => {
  // Counted by the script that starts a change (begin-change.lua), once its locks are taken.
  const takeToggleToken = async (s: Store, number: string, limit: number, windowSec: number) => {
    const started = await startLocked(s, [`iface:local/${number}@test/n`], { rate: { number, limit, windowSec } });
    await releaseLocks(s, started.held);
  };

  it('refuses the change past the limit within the window, then allows again', async () => {
    for (let i = 0; i < 3; i++) await takeToggleToken(store, '79112223344', 3, 1);
    await expect(takeToggleToken(store, '79112223344', 3, 1)).rejects.toBeInstanceOf(RateLimitedError);
    await takeToggleToken(store, '79110000000', 3, 1);
    await waitFor(async () => (await t.redis.exists(store.keys.rate('79112223344'))) === 0, 'the 1 s window to expire');
    await takeToggleToken(store, '79112223344', 3, 1);
  });
});
