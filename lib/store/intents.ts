import { randomUUID } from 'node:crypto';
import { storeOp, type Store } from './redis.ts';

// An intent is written before agentgate changes Asterisk and deleted in the same
// transaction that records the result. One left behind means the process died,
// or Redis went away, between the two: the re-sync finds it and settles Redis
// with what Asterisk really has.

export interface Intent {
  id: string;
  at: number;
  /** What was about to happen to which members. */
  adds: Array<{ queue: string; interface: string }>;
  removes: Array<{ queue: string; interface: string }>;
  subject: string;
}

export async function beginIntent(store: Store, intent: Omit<Intent, 'id' | 'at'>): Promise<string> {
  const id = randomUUID();
  const full: Intent = { ...intent, id, at: Date.now() };
  await storeOp('begin intent', () => store.redis.hset(store.keys.intents(), id, JSON.stringify(full)));
  return id;
}

export async function dropIntent(store: Store, id: string): Promise<void> {
  await storeOp('drop intent', () => store.redis.hdel(store.keys.intents(), id));
}

export async function listIntents(store: Store): Promise<Intent[]> {
  const all = await storeOp('list intents', () => store.redis.hvals(store.keys.intents()));
  return all.map((v) => JSON.parse(v) as Intent).sort((a, b) => a.at - b.at);
}
