// Queue members as agentgate records them in Redis: one hash per queue,
// interface -> JSON record. Every write is one script that also closes the
// change's intent, appends its audit entries and releases its locks, so a
// reader never sees a member without its audit line or an intent outliving
// its record.
import { auditFields, type AuditEntry } from '../store/audit.ts';
import type { HeldLocks } from '../store/lock.ts';
import { runLua } from '../store/lua.ts';
import { execTx, storeOp, type Store } from '../store/redis.ts';
import { queueName } from '../validate.ts';

/** A queue member as agentgate records it in Redis. */
export interface MemberRecord {
  queue: string;
  interface: string;
  /** The canonical number, or the agent id for agent bindings. */
  subject: string;
  kind: 'number' | 'agent';
  penalty: number;
  name: string;
  /** ms since the epoch when the member was added (or first seen). */
  since: number;
  /** agentgate: added by this service; external: seen in Asterisk, added by someone else (GUI, CLI). */
  source: 'agentgate' | 'external';
  paused: boolean;
  reason: string;
}

/** One atomic write: member records put and removed, an intent closed, audit entries appended. */
export interface RecordedChange {
  put?: MemberRecord[];
  remove?: Array<{ queue: string; interface: string }>;
  /** The intent this change completes (see intents.ts), deleted in the same transaction. */
  intentId?: string;
  audit?: AuditEntry[];
  /** Members agentgate has just added: their unanswered-ring counts start again (lib/sync/auto-pause.ts). */
  resetNoAnswer?: Array<{ queue: string; interface: string }>;
  /** The change's locks, released in the same MULTI: its last round trip. */
  release?: HeldLocks;
}

/** One round trip (record-change.lua): a reader never sees a member without its audit line. */
export async function recordChange(store: Store, change: RecordedChange): Promise<void> {
  const { keys } = store;
  const scriptKeys = [keys.memberQueues(), keys.intents(), keys.audit()];
  const indexOf = new Map<string, number>();
  // Lua indexes from 1: KEYS[n] is scriptKeys[n - 1].
  const key = (k: string): number => {
    let i = indexOf.get(k);
    if (i === undefined) {
      scriptKeys.push(k);
      indexOf.set(k, (i = scriptKeys.length));
    }
    return i;
  };
  const op = {
    put: (change.put ?? []).map((m) => {
      const queue = queueName(m.queue);
      return [key(keys.members(queue)), m.interface, JSON.stringify({ ...m, queue }), queue];
    }),
    remove: (change.remove ?? []).map((r) => [key(keys.members(r.queue)), r.interface]),
    intent: change.intentId ?? '',
    audit: (change.audit ?? []).map(auditFields),
    cap: store.auditMaxLen,
    del: (change.resetNoAnswer ?? []).map((m) => key(keys.noAnswer(m.queue, m.interface))),
    locks: (change.release?.keys ?? []).map(key),
    token: change.release?.token ?? '',
  };
  await runLua(store, 'record-change', scriptKeys, [JSON.stringify(op)]);
}

export async function getMemberRecord(store: Store, queue: string, iface: string): Promise<MemberRecord | undefined> {
  const v = await storeOp('get member', () => store.redis.hget(store.keys.members(queue), iface));
  return v ? (JSON.parse(v) as MemberRecord) : undefined;
}

/** Every member Redis holds, or those of one queue. */
export async function listMemberRecords(store: Store, queue?: string): Promise<MemberRecord[]> {
  const queues = queue ? [queue] : (await storeOp('list member queues', () => store.redis.smembers(store.keys.memberQueues()))).sort();
  if (queues.length === 0) return [];
  const pipe = store.redis.pipeline();
  for (const q of queues) pipe.hvals(store.keys.members(q));
  return (await execTx('list members', pipe)).flatMap((vals) => (vals as string[]).map((v) => JSON.parse(v) as MemberRecord));
}

/**
 * Redis's records of these interfaces in every queue: one field per queue
 * (HMGET), not every member of every queue. An agent's records are those at
 * the interfaces it is (or was) bound to.
 */
export async function recordsAt(store: Store, interfaces: readonly string[]): Promise<MemberRecord[]> {
  const { redis, keys } = store;
  if (interfaces.length === 0) return [];
  const queues = await storeOp('list member queues', () => redis.smembers(keys.memberQueues()));
  if (queues.length === 0) return [];
  const pipe = redis.pipeline();
  for (const q of queues) pipe.hmget(keys.members(q), ...interfaces);
  return (await execTx('read members', pipe)).flatMap((vals) => (vals as Array<string | null>).flatMap((v) => (v ? [JSON.parse(v) as MemberRecord] : [])));
}
