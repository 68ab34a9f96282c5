import { BadParamsError, NotAuthorizedError } from '../errors.ts';
import { auditFields, type AuditEntry } from '../store/audit.ts';
import { runLua } from '../store/lua.ts';
import { execTx, storeOp, type Store } from '../store/redis.ts';
import { validMemberName, validPenalty, validQueue } from '../validate.ts';
import { compareText } from '../compare-text.ts';

export type QueuePolicy = 'list' | 'open';

/** Who changes an allowlist: written to the audit trail in the same transaction. */
export interface AdminOrigin {
  source: 'cli' | 'api';
  by: string;
}

function auditOf(origin: AdminOrigin, action: string, subject: string, queue: string, detail?: string): string[] {
  const entry: AuditEntry = { action, subject, queue, result: 'OK', source: origin.source, by: origin.by, detail };
  return auditFields(entry);
}

export interface AllowedNumber {
  number: string;
  penalty: number;
  name: string;
  /** Seconds of wrap-up after each queue call (Asterisk's per-member Wrapuptime); absent: the queue's. */
  wrapup?: number;
  /** false: this number is rung without confirm on answer in this queue (a person who always answers, a desk behind a mobile number). */
  confirm?: false;
}

/** What a login uses: always from the list (or the open default), never from the caller. */
export interface Authorization {
  penalty: number;
  name: string;
  wrapup?: number;
  confirm?: false;
}

function parseEntry(number: string, json: string): AllowedNumber {
  const v = JSON.parse(json) as { penalty: number; name: string; wrapup?: number; confirm?: boolean };
  return { number, penalty: v.penalty, name: v.name, ...(v.wrapup ? { wrapup: v.wrapup } : {}), ...(v.confirm === false ? { confirm: false as const } : {}) };
}

/** A wrap-up time: whole seconds, up to an hour. */
export function validWrapup(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw new BadParamsError('wrap-up must be a whole number of seconds from 0 to 3600');
  return seconds;
}

export async function setPolicy(store: Store, queue: string, policy: QueuePolicy, origin: AdminOrigin): Promise<void> {
  queue = validQueue(queue);
  await execTx('set policy', store.redis.multi().set(store.keys.policy(queue), policy).sadd(store.keys.allowQueues(), queue)
    .xadd(store.keys.audit(), 'MAXLEN', '~', String(store.auditMaxLen), '*', ...auditOf(origin, 'policy', queue, queue, policy)));
}

export async function getPolicy(store: Store, queue: string): Promise<QueuePolicy> {
  const v = await storeOp('get policy', () => store.redis.get(store.keys.policy(queue)));
  // Secure by default: no explicit policy means only listed numbers get in.
  return v === 'open' ? 'open' : 'list';
}

export async function allowNumber(store: Store, queue: string, entry: AllowedNumber, origin: AdminOrigin): Promise<void> {
  queue = validQueue(queue);
  const value = JSON.stringify({
    penalty: validPenalty(entry.penalty), name: validMemberName(entry.name), ...(entry.wrapup ? { wrapup: validWrapup(entry.wrapup) } : {}),
    ...(entry.confirm === false ? { confirm: false } : {}),
  });
  await execTx('allow number',
    store.redis.multi().hset(store.keys.allowlist(queue), entry.number, value).sadd(store.keys.allowQueues(), queue)
      .xadd(store.keys.audit(), 'MAXLEN', '~', String(store.auditMaxLen), '*', ...auditOf(origin, 'allow', entry.number, queue, `penalty=${entry.penalty}${entry.confirm === false ? ' confirm=off' : ''}`)));
}

/** Returns false when the number was not listed. */
export async function disallowNumber(store: Store, queue: string, number: string, origin: AdminOrigin): Promise<boolean> {
  queue = validQueue(queue);
  const fields = auditOf(origin, 'disallow', number, queue);
  return (await runLua(store, 'disallow-number', [store.keys.allowlist(queue), store.keys.audit()], [number, String(store.auditMaxLen), ...fields])) === 1;
}

export async function listAllowed(store: Store, queue: string): Promise<AllowedNumber[]> {
  const all = await storeOp('list allowlist', () => store.redis.hgetall(store.keys.allowlist(queue)));
  return Object.entries(all).map(([n, v]) => parseEntry(n, v)).sort((a, b) => compareText(a.number, b.number));
}

export async function listAllowQueues(store: Store): Promise<Array<{ queue: string; policy: QueuePolicy }>> {
  const queues = (await storeOp('list allow queues', () => store.redis.smembers(store.keys.allowQueues()))).sort();
  return Promise.all(queues.map(async (queue) => ({ queue, policy: await getPolicy(store, queue) })));
}

/**
 * The same decision from the entry a change's start read (lib/store/lock.ts):
 * the allowlist JSON, '*' (an open queue that does not list the number) or ''.
 */
export function authorizationOf(queue: string, number: string, raw: string): Authorization {
  if (raw === '*') return { penalty: 0, name: number };
  if (raw === '') throw new NotAuthorizedError(`number ${number} is not authorized for queue ${queue}`);
  return parseEntry(number, raw);
}

/**
 * Decides whether `number` may log into `queue`. One round trip: the policy and
 * the number's entry are read together. Fails closed when Redis is away
 * (StoreUnavailableError propagates).
 */
export async function authorize(store: Store, queue: string, number: string): Promise<Authorization> {
  const [policy, entry] = (await execTx('authorize', store.redis.multi().get(store.keys.policy(queue)).hget(store.keys.allowlist(queue), number))) as [string | null, string | null];
  return authorizationOf(queue, number, entry ?? (policy === 'open' ? '*' : ''));
}
