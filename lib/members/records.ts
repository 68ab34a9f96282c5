// Queue members as agentgate records them in Redis: one hash per queue,
// interface -> JSON record. Every write is one MULTI that also closes the
// change's intent and appends its audit entries, so a reader never sees a
// member without its audit line or an intent outliving its record.
import { auditFields, type AuditEntry } from '../store/audit.ts';
import { queueRelease, type HeldLocks } from '../store/lock.ts';
import { defineLua } from '../store/lua.ts';
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

export async function recordChange(store: Store, change: RecordedChange): Promise<void> {
  const { redis, keys } = store;
  if (change.release) defineLua(store, 'release-locks');
  const tx = redis.multi();
  for (const m of change.put ?? []) {
    const queue = queueName(m.queue);
    tx.hset(keys.members(queue), m.interface, JSON.stringify({ ...m, queue }));
    tx.sadd(keys.memberQueues(), queue);
  }
  for (const r of change.remove ?? []) tx.hdel(keys.members(r.queue), r.interface);
  if (change.intentId) tx.hdel(keys.intents(), change.intentId);
  for (const a of change.audit ?? []) tx.xadd(keys.audit(), 'MAXLEN', '~', String(store.auditMaxLen), '*', ...auditFields(a));
  for (const m of change.resetNoAnswer ?? []) tx.del(keys.noAnswer(m.queue, m.interface));
  // Last, so that a release that fails (a script flushed from Redis) fails alone: the locks then expire.
  if (change.release) queueRelease(store, tx, change.release);
  await execTx('record change', tx, change.release ? 1 : 0);
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
