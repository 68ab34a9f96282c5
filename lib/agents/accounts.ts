// Agent accounts in Redis: one hash per agent (name, pinHash, queues JSON,
// mobile, createdAt) and a set of ids for listing. The PIN hash never leaves
// this module; callers get AgentAccount and ask verifyAgentPin.
import { storeOp, type Store } from '../store/redis.ts';
import { AgentExistsError, AgentNotFoundError } from './errors.ts';
import { DEFAULT_PIN_HASH, hashPin, needsRehash, verifyPin, type PinHashParams } from './pin.ts';
import { validateAgentId, validateAgentName, validateMobile, validateQueues, type QueuePenalty } from './validate.ts';

export interface AgentAccount {
  id: string;
  name: string;
  queues: QueuePenalty[];
  mobile?: string;
  /** ms since the epoch. */
  createdAt: number;
}

export interface NewAgent {
  id: string;
  name: string;
  pin: string;
  queues: QueuePenalty[];
  mobile?: string;
}

export interface AccountOptions {
  /** scrypt cost for new hashes; tests lower it to stay fast. */
  pinHash?: PinHashParams;
}

// KEYS[1] agent hash, KEYS[2] set of agent ids. ARGV[1] id, ARGV[2..] field/value pairs.
// Returns 1 when created, 0 when the agent already exists (nothing written).
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
return 1`;

// Changes fields only while the agent exists, so an update racing a delete
// cannot leave behind a half record without a name or PIN.
// KEYS[1] agent hash. ARGV[1] n, ARGV[2..n+1] fields to delete, then field/value pairs to set.
// Returns 1 when changed, 0 when the agent does not exist.
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[1])
for i = 2, n + 1 do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = n + 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;

// Replaces the PIN hash only if it is still the one that was verified, so a
// re-hash after login cannot undo a PIN change made meanwhile.
// KEYS[1] agent hash. ARGV[1] old hash, ARGV[2] new hash. Returns 1 when replaced, 0 otherwise.
const REHASH = `
if redis.call('HGET', KEYS[1], 'pinHash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'pinHash', ARGV[2])
return 1`;

function toAccount(id: string, h: Record<string, string>): AgentAccount | null {
  if (h.name === undefined || h.pinHash === undefined) return null;
  let queues: QueuePenalty[];
  try {
    queues = validateQueues(JSON.parse(h.queues ?? '[]'));
  } catch (err) {
    throw new Error(`agent ${id} has a corrupt queue list in Redis`, { cause: err });
  }
  const account: AgentAccount = { id, name: h.name, queues, createdAt: Number(h.createdAt ?? 0) };
  if (h.mobile) account.mobile = h.mobile;
  return account;
}

async function update(store: Store, id: string, del: string[], set: string[]): Promise<void> {
  const done = await storeOp('agent update', () => store.redis.eval(UPDATE, 1, store.keys.agent(id), String(del.length), ...del, ...set));
  if (done !== 1) throw new AgentNotFoundError(id);
}

/** Validates everything, hashes the PIN, and creates the account; AgentExistsError if the id is taken. */
export async function createAgent(store: Store, input: NewAgent, opts: AccountOptions = {}): Promise<AgentAccount> {
  validateAgentId(input.id);
  validateAgentName(input.name);
  const queues = validateQueues(input.queues);
  if (input.mobile !== undefined) validateMobile(input.mobile);
  const pinHash = await hashPin(input.pin, opts.pinHash);
  const createdAt = Date.now();
  const fields = ['name', input.name, 'pinHash', pinHash, 'queues', JSON.stringify(queues), 'createdAt', String(createdAt)];
  if (input.mobile !== undefined) fields.push('mobile', input.mobile);
  const created = await storeOp('agent create', () =>
    store.redis.eval(CREATE, 2, store.keys.agent(input.id), store.keys.agents(), input.id, ...fields));
  if (created !== 1) throw new AgentExistsError(input.id);
  const account: AgentAccount = { id: input.id, name: input.name, queues, createdAt };
  if (input.mobile !== undefined) account.mobile = input.mobile;
  return account;
}

/** The account, or null when there is none. */
export async function getAgent(store: Store, id: string): Promise<AgentAccount | null> {
  validateAgentId(id);
  const h = await storeOp('agent read', () => store.redis.hgetall(store.keys.agent(id)));
  return toAccount(id, h);
}

/** All accounts, ordered by id as a number ("7" before "10"). */
export async function listAgents(store: Store): Promise<AgentAccount[]> {
  const ids = await storeOp('agent list', () => store.redis.smembers(store.keys.agents()));
  if (ids.length === 0) return [];
  const pipe = store.redis.pipeline();
  for (const id of ids) pipe.hgetall(store.keys.agent(id));
  const rows = await storeOp('agent list', async () => (await pipe.exec()) ?? []);
  const out: AgentAccount[] = [];
  rows.forEach(([err, h], i) => {
    if (err) throw new Error(`reading agent ${ids[i]} failed: ${err.message}`);
    const account = toAccount(ids[i]!, h as Record<string, string>);
    if (account) out.push(account);
  });
  return out.sort((a, b) => a.id.padStart(20, '0').localeCompare(b.id.padStart(20, '0')) || a.id.length - b.id.length);
}

export async function setAgentPin(store: Store, id: string, pin: string, opts: AccountOptions = {}): Promise<void> {
  validateAgentId(id);
  const pinHash = await hashPin(pin, opts.pinHash);
  await update(store, id, [], ['pinHash', pinHash]);
}

export async function setAgentQueues(store: Store, id: string, queues: QueuePenalty[]): Promise<void> {
  validateAgentId(id);
  const clean = validateQueues(queues);
  await update(store, id, [], ['queues', JSON.stringify(clean)]);
}

export async function setAgentName(store: Store, id: string, name: string): Promise<void> {
  validateAgentId(id);
  validateAgentName(name);
  await update(store, id, [], ['name', name]);
}

/** Sets the mobile number, or removes it with null. */
export async function setAgentMobile(store: Store, id: string, mobile: string | null): Promise<void> {
  validateAgentId(id);
  if (mobile === null) return update(store, id, ['mobile'], []);
  validateMobile(mobile);
  await update(store, id, [], ['mobile', mobile]);
}

/**
 * Deletes the account record only. Bindings and queue memberships are not
 * touched: the caller logs the agent out first. AgentNotFoundError if absent.
 */
export async function deleteAgentRecord(store: Store, id: string): Promise<void> {
  validateAgentId(id);
  const res = await storeOp('agent delete', () => store.redis.multi().del(store.keys.agent(id)).srem(store.keys.agents(), id).exec());
  const [err, deleted] = res?.[0] ?? [new Error('transaction discarded'), 0];
  if (err) throw new Error(`deleting agent ${id} failed: ${err.message}`);
  if (deleted !== 1) throw new AgentNotFoundError(id);
}

// An unknown id must cost as much as a wrong PIN, so timing does not tell a
// caller which agent ids exist.
const dummyHashes = new Map<string, Promise<string>>();
function dummyHash(params: PinHashParams): Promise<string> {
  const k = `${params.ln},${params.r},${params.p}`;
  let h = dummyHashes.get(k);
  if (!h) dummyHashes.set(k, (h = hashPin(String(Math.floor(Math.random() * 1e8)).padStart(8, '0'), params)));
  return h;
}

/**
 * The account when `pin` is the agent's PIN; null when it is not, or when there
 * is no such agent (the two are not told apart, to the caller or by timing).
 * A correct PIN hashed at a lower cost than today's is re-hashed on the way.
 * Does not count failures: see pin-guard.ts.
 */
export async function verifyAgentPin(store: Store, id: string, pin: string, opts: AccountOptions = {}): Promise<AgentAccount | null> {
  validateAgentId(id);
  const params = opts.pinHash ?? DEFAULT_PIN_HASH;
  const h = await storeOp('agent read', () => store.redis.hgetall(store.keys.agent(id)));
  const account = toAccount(id, h);
  if (!account) {
    await verifyPin(pin, await dummyHash(params));
    return null;
  }
  const stored = h.pinHash!;
  if (!(await verifyPin(pin, stored))) return null;
  if (needsRehash(stored, params)) {
    // Best effort: the login must not fail because an upgrade did; the next
    // correct PIN tries again.
    await hashPin(pin, params)
      .then((fresh) => store.redis.eval(REHASH, 1, store.keys.agent(id), stored, fresh))
      .catch(() => undefined);
  }
  return account;
}
