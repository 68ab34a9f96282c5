import { randomUUID } from 'node:crypto';
import { storeOp, type Store } from './redis.ts';

// An intent is written before agentgate changes Asterisk and deleted in the same
// transaction that records the result. One left behind means the change was
// never confirmed recorded (the process died, a reply was lost, an undo
// failed): the re-sync finds it and rolls Asterisk back to how it was before
// (lib/sync/intent-repair.ts), since the caller was not told it was done.

/** A member as it was before a change removed it: what a rollback adds back. */
export interface IntentMember {
  penalty: number;
  name: string;
  paused: boolean;
  reason: string;
}

export interface Intent {
  id: string;
  at: number;
  /** What was about to happen to which members. */
  adds: Array<{ queue: string; interface: string }>;
  /** `member` is absent in intents of older versions: the record says then. */
  removes: Array<{ queue: string; interface: string; member?: IntentMember }>;
  /** Members whose pause was about to change, as they were. */
  pauses?: Array<{ queue: string; interface: string; paused: boolean; reason: string }>;
  subject: string;
}

/** Every member interface an intent names. */
export function intentInterfaces(intent: Intent): string[] {
  return [...intent.adds, ...intent.removes, ...(intent.pauses ?? [])].map((e) => e.interface);
}

export async function intentExists(store: Store, id: string): Promise<boolean> {
  return (await storeOp('read intent', () => store.redis.hexists(store.keys.intents(), id))) === 1;
}

export function newIntentId(): string {
  return randomUUID();
}

/** Writes (or writes over) an intent, given as its JSON. */
export async function writeIntent(store: Store, id: string, json: string): Promise<void> {
  await storeOp('begin intent', () => store.redis.hset(store.keys.intents(), id, json));
}

export async function beginIntent(store: Store, intent: Omit<Intent, 'id' | 'at'>): Promise<string> {
  const id = newIntentId();
  await writeIntent(store, id, JSON.stringify({ ...intent, id, at: Date.now() } satisfies Intent));
  return id;
}

export async function dropIntent(store: Store, id: string): Promise<void> {
  await storeOp('drop intent', () => store.redis.hdel(store.keys.intents(), id));
}

export async function listIntents(store: Store): Promise<Intent[]> {
  const all = await storeOp('list intents', () => store.redis.hvals(store.keys.intents()));
  return all.map((v) => JSON.parse(v) as Intent).sort((a, b) => a.at - b.at);
}
