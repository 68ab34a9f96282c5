// Per-subject locks in Redis, so two changes of one number, agent or member
// interface, on one instance or several sharing a Redis, happen one at a time.
// A set of locks is taken all or none in one script (begin-change.lua), which
// can also count a rate-limited attempt, read allowlist entries and write the
// change's intent: a change starts in one round trip. They are released by
// token (release-locks.lua), alone or by the script that records the change.
import { randomUUID } from 'node:crypto';
import { BusyError, RateLimitedError, StoreUnavailableError } from '../errors.ts';
import { dropIntent } from './intents.ts';
import { runLua } from './lua.ts';
import { retryLater, type Store } from './redis.ts';

export interface LockOptions {
  /** How long the locks live if their holder dies (renewed while it lives); default the store's LOCK_TTL_MS, 15 s. */
  ttlMs?: number;
  /** How long to wait for a busy lock before giving up with BusyError. */
  waitMs?: number;
}

/** Locks taken together, released together. */
export interface HeldLocks {
  readonly keys: readonly string[];
  readonly token: string;
  /** The time to live they were taken with, ms. */
  readonly ttlMs: number;
}

/** What the start of a change does besides locking (begin-change.lua). */
export interface StartExtras {
  /** Count one attempt of `number`; past `limit` in the window: RateLimitedError, nothing held. */
  rate?: { number: string; limit: number; windowSec: number };
  /** Read the allowlist entries of `number` for these queues. */
  allow?: { number: string; queues: readonly string[] };
  /** Write this intent once locked, unless a queue in `adds` does not allow the number. */
  intent?: { id: string; json: string; adds: ReadonlySet<string> };
}

/** One queue's allowlist entry as begin-change read it: JSON, '*' (open, not listed) or '' (not allowed). */
export type RawEntry = string;

export interface Started {
  held: HeldLocks;
  /** Queue -> raw entry, for the queues of `allow`. */
  entries: Map<string, RawEntry>;
  /** The intent was written. false: a queue it adds does not allow the number (locks held all the same). */
  intentWritten: boolean;
}

/**
 * Takes the locks of `subjects` (all or none, retried with back-off while any
 * is busy) and does the extras in the same script.
 */
export async function startLocked(store: Store, subjects: readonly string[], extras: StartExtras = {}, opts: LockOptions = {}): Promise<Started> {
  const ttlMs = opts.ttlMs ?? store.lockTtlMs ?? 15_000;
  const waitMs = opts.waitMs ?? 10_000;
  const keys = [...new Set(subjects)].sort().map((s) => store.keys.lock(s));
  const token = randomUUID();
  const queues = extras.allow?.queues ?? [];
  const scriptKeys = [
    ...keys,
    store.keys.intents(),
    extras.rate ? store.keys.rate(extras.rate.number) : store.keys.intents(),
    ...queues.flatMap((q) => [store.keys.policy(q), store.keys.allowlist(q)]),
  ];
  const args = [
    token, ttlMs, keys.length,
    extras.rate?.limit ?? 0, extras.rate?.windowSec ?? 0,
    extras.allow?.number ?? '',
    extras.intent?.id ?? '', extras.intent?.json ?? '',
    queues.map((q) => (extras.intent?.adds.has(q) ? '1' : '0')).join(''),
  ];
  const deadline = Date.now() + waitMs;
  let delay = 2;
  for (;;) {
    let reply: Array<string | number>;
    try {
      reply = (await runLua(store, 'begin-change', scriptKeys, args)) as Array<string | number>;
    } catch (err) {
      // The script may have run and only its reply been lost: its locks and
      // intent (Asterisk untouched) are taken back once Redis answers.
      if (err instanceof StoreUnavailableError) takeBackLater(store, { keys, token, ttlMs }, extras.intent?.id);
      throw err;
    }
    const status = reply[0];
    if (status === 'rate') throw new RateLimitedError(`number ${extras.rate!.number} made more than ${extras.rate!.limit} changes in ${extras.rate!.windowSec} s`);
    if (status !== 'busy') {
      return {
        held: { keys, token, ttlMs },
        entries: new Map(queues.map((q, i) => [q, String(reply[i + 1] ?? '')])),
        intentWritten: status === 'ok' && extras.intent !== undefined,
      };
    }
    if (Date.now() >= deadline) throw new BusyError(`another change for ${subjects.join(', ')} is in progress`);
    await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * delay)));
    delay = Math.min(delay * 2, 20);
  }
}

function takeBackLater(store: Store, held: HeldLocks, intentId: string | undefined): void {
  retryLater(async () => {
    if (intentId) await dropIntent(store, intentId);
    await runLua(store, 'release-locks', held.keys, [held.token]);
  }, { firstMs: 100, everyMs: 500, forMs: 5 * 60_000 });
}

/** How long a holder keeps its locks alive at most: a change stuck longer than this lets them expire. */
const KEEP_MAX_MS = 10 * 60_000;

/**
 * Keeps `held` alive while its holder works: every third of the TTL, each lock
 * still ours gets the TTL again (extend-locks.lua). The TTL stays short, so a
 * crashed holder's locks still free up soon, while a change that outlives it
 * (AMI actions time out after 5 s each; a change whose live model was behind
 * runs two attempts and an undo) keeps them. Returns the function that stops it.
 */
export function keepLocks(store: Store, held: HeldLocks): () => void {
  const every = Math.max(1, Math.floor(held.ttlMs / 3));
  const until = Date.now() + KEEP_MAX_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    timer = setTimeout(() => {
      void runLua(store, 'extend-locks', held.keys, [held.token, held.ttlMs])
        .catch(() => undefined) // Redis away: the locks expire, as a dead holder's would
        .finally(() => {
          if (!stopped && Date.now() < until) arm();
        });
    }, every);
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Releases what is still ours; a failure only leaves the locks to expire. */
export async function releaseLocks(store: Store, held: HeldLocks): Promise<void> {
  await runLua(store, 'release-locks', held.keys, [held.token]).catch(() => undefined);
}

/** Runs `fn` holding the locks of `subjects`, taken in one step. */
export async function withLocks<T>(store: Store, subjects: readonly string[], fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const { held } = await startLocked(store, subjects, {}, opts);
  const stopKeeping = keepLocks(store, held);
  try {
    return await fn();
  } finally {
    stopKeeping();
    await releaseLocks(store, held);
  }
}

export function withLock<T>(store: Store, subject: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  return withLocks(store, [subject], fn, opts);
}

// The one lock order of every change: an agent first (which interfaces to lock
// is read, from its binding, while holding it), then the member interfaces it
// touches, together. A number changing itself takes only its interfaces, so an
// agent and a number at one phone change it one at a time.

export function withAgentLock<T>(store: Store, agentId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(store, `agent:${agentId}`, fn);
}

/** The lock subject of a member interface, compared as Asterisk compares them (without case). */
export function interfaceLock(iface: string): string {
  return `iface:${iface.toLowerCase()}`;
}

/** Member interfaces' locks. Call an agent's only while holding its agent lock. */
export function withInterfaceLocks<T>(store: Store, interfaces: readonly string[], fn: () => Promise<T>): Promise<T> {
  return withLocks(store, interfaces.map(interfaceLock), fn);
}
