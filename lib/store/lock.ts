import { randomUUID } from 'node:crypto';
import { BusyError } from '../errors.ts';
import { storeOp, type Store } from './redis.ts';

// Release only when the token still matches: a holder whose lock expired must
// not delete the next holder's lock.
// KEYS[1] lock key; ARGV[1] token. Returns 1 when released, 0 when not ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LockOptions {
  /** How long the lock lives if its holder dies; longer than one AMI round trip. */
  ttlMs?: number;
  /** How long to wait for a busy lock before giving up with BusyError. */
  waitMs?: number;
}

/**
 * Runs `fn` holding a per-subject lock in Redis, so two calls for one number or
 * agent, on one instance or several sharing a Redis, change it one at a time.
 */
export async function withLock<T>(store: Store, subject: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const ttlMs = opts.ttlMs ?? 15_000;
  const waitMs = opts.waitMs ?? 10_000;
  const key = store.keys.lock(subject);
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  let delay = 2;
  for (;;) {
    const ok = await storeOp('lock', () => store.redis.set(key, token, 'PX', ttlMs, 'NX'));
    if (ok === 'OK') break;
    if (Date.now() >= deadline) throw new BusyError(`another change for ${subject} is in progress`);
    await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * delay)));
    delay = Math.min(delay * 2, 20);
  }
  try {
    return await fn();
  } finally {
    // A failed release only leaves the lock to expire; never mask fn's outcome.
    await store.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
