import { randomUUID } from 'node:crypto';
import { BusyError } from '../errors.ts';
import { runLua } from './lua.ts';
import { storeOp, type Store } from './redis.ts';

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
    await runLua(store, 'release-lock', [key], [token]).catch(() => undefined);
  }
}

/**
 * Several locks taken in one order (sorted), so two holders of overlapping sets
 * never wait on each other.
 */
export function withLocks<T>(store: Store, subjects: readonly string[], fn: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(subjects)].sort();
  const nest = (i: number): Promise<T> => (i === sorted.length ? fn() : withLock(store, sorted[i]!, () => nest(i + 1)));
  return nest(0);
}

// The one lock order of every change: an agent first (which interfaces to lock
// is read, from its binding, while holding it), then the member interfaces it
// touches, sorted. A number changing itself takes only its interface, so an
// agent and a number at one phone change it one at a time.

export function withAgentLock<T>(store: Store, agentId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(store, `agent:${agentId}`, fn);
}

/** Member interfaces, compared as Asterisk compares them (without case). Call an agent's only while holding its agent lock. */
export function withInterfaceLocks<T>(store: Store, interfaces: readonly string[], fn: () => Promise<T>): Promise<T> {
  return withLocks(store, interfaces.map((i) => `iface:${i.toLowerCase()}`), fn);
}
