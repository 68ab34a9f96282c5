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

/** An agent's binding as a change found it or was about to leave it. */
export interface IntentBindingAt {
  phone: string;
  interface: string;
}

/**
 * An agent's binding a change moves (a login, a logout), written with the
 * members: a process killed between the binding and the record leaves the
 * binding to be put back with them, not an agent bound with no queues.
 */
export interface IntentBinding {
  agentId: string;
  /** As it was before the change (with its time); null: not bound. */
  was: (IntentBindingAt & { since: number }) | null;
  /** What the change makes it; null: unbound. */
  to: IntentBindingAt | null;
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
  /** Absent when the change leaves every binding alone. */
  binding?: IntentBinding;
  subject: string;
}

/** Every member interface an intent names (a binding's too: the change held their locks). */
export function intentInterfaces(intent: Intent): string[] {
  const b = intent.binding;
  return [...intent.adds, ...intent.removes, ...(intent.pauses ?? []), ...(b?.was ? [b.was] : []), ...(b?.to ? [b.to] : [])].map((e) => e.interface);
}

/** Two bindings at the same phone and interface (compared as Asterisk does), or both none. */
export function sameBindingAt(a: IntentBindingAt | null, b: IntentBindingAt | null): boolean {
  return a === null || b === null ? a === b : a.phone === b.phone && a.interface.toLowerCase() === b.interface.toLowerCase();
}

/** The binding moves: a change that leaves it where it was needs no intent for it. */
export function bindingMoves(b: IntentBinding | undefined): boolean {
  return b !== undefined && !sameBindingAt(b.was, b.to);
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
