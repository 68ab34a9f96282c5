import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, readAudit } from '../../lib/store/audit.ts';
import { keepLocks, startLocked, withLock } from '../../lib/store/lock.ts';
import type { Store } from '../../lib/store/redis.ts';
import { BusyError } from '../../lib/errors.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = t.store;
});
afterEach(() => t.cleanup());

describe('audit trail', () => {
  it('reads back entries newest first, paged, and stays capped', async () => {
    for (let i = 0; i < 250; i++) await appendAudit(store, { action: 'login', subject: `7911${i}`, queue: '8008', result: 'OK', source: 'fastagi' });
    const page1 = await readAudit(store, { count: 10 });
    expect(page1.map((r) => r.subject)).toEqual(Array.from({ length: 10 }, (_, i) => `7911${249 - i}`));
    const page2 = await readAudit(store, { count: 10, before: page1.at(-1)!.id });
    expect(page2[0]!.subject).toBe('7911239');
    expect(await t.redis.xlen(store.keys.audit())).toBeLessThan(250);
  });
});

describe('per-subject lock', () => {
  it('runs changes for one subject one at a time', async () => {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(Array.from({ length: 20 }, () => withLock(store, 'n1', async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 2));
      inside--;
    })));
    expect(maxInside).toBe(1);
    expect(await t.redis.exists(store.keys.lock('n1'))).toBe(0);
  });

  it('gives up with BusyError when the holder does not finish in time', async () => {
    // The holder finishes only when the test lets it, however long giving up takes.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = withLock(store, 'n2', () => gate);
    await expect(withLock(store, 'n2', async () => 1, { waitMs: 50 })).rejects.toBeInstanceOf(BusyError);
    release();
    await held;
  });

  it('keeps its lock past the TTL while the holder works, and lets it go at the end', async () => {
    // A slow Asterisk: the change outlives its 600 ms TTL three times over.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = withLock(store, 'n4', () => gate, { ttlMs: 600 });
    await new Promise((r) => setTimeout(r, 1800));
    await expect(withLock(store, 'n4', async () => 1, { waitMs: 300 })).rejects.toBeInstanceOf(BusyError);
    expect(await t.redis.pttl(store.keys.lock('n4'))).toBeGreaterThan(0);
    release();
    await held;
    expect(await t.redis.exists(store.keys.lock('n4'))).toBe(0);
    expect(await withLock(store, 'n4', async () => 2, { waitMs: 300 })).toBe(2);
  });

  it("a holder that stopped keeping its locks (a crash) loses them after the TTL", async () => {
    const { held } = await startLocked(store, ['n5'], {}, { ttlMs: 300 });
    const stop = keepLocks(store, held);
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.redis.get(store.keys.lock('n5'))).toBe(held.token);
    stop();
    await new Promise((r) => setTimeout(r, 600));
    expect(await t.redis.exists(store.keys.lock('n5'))).toBe(0);
  });

  it('takes its locks with the store\'s TTL (LOCK_TTL_MS) unless told otherwise', async () => {
    const { held } = await startLocked({ ...store, lockTtlMs: 2500 }, ['n6']);
    expect(held.ttlMs).toBe(2500);
    const ttl = await t.redis.pttl(store.keys.lock('n6'));
    expect(ttl).toBeGreaterThan(1500);
    expect(ttl).toBeLessThanOrEqual(2500);
    expect((await startLocked(store, ['n7'])).held.ttlMs).toBe(15_000);
  });

  it('does not release a lock that expired and was taken by someone else', async () => {
    await withLock(store, 'n3', async () => {
      await t.redis.set(store.keys.lock('n3'), 'someone-else');
    }, { ttlMs: 50 });
    expect(await t.redis.get(store.keys.lock('n3'))).toBe('someone-else');
  });
});
