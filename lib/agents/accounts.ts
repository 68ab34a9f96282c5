// Agent accounts in Redis: one hash per agent (name, pinHash, queues JSON,
// mobile, createdAt) and a set of ids for listing. The PIN hash never leaves
// this module; callers get AgentAccount and ask verifyAgentPin.
import { runLua } from '../store/lua.ts';
import { execTx, readHashesOfSet, storeOp, type Store } from '../store/redis.ts';
import { AgentExistsError, AgentNotFoundError } from './errors.ts';
import { DEFAULT_PIN_HASH, hashPin, needsRehash, verifyPin, type PinHashParams } from './pin.ts';
import { validateAgentId, validateAgentName, validateMobile, validateQueues, type QueuePenalty } from '../validate.ts';

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
  const done = await runLua(store, 'update-agent', [store.keys.agent(id)], [String(del.length), ...del, ...set]);
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
  const created = await runLua(store, 'create-agent', [store.keys.agent(input.id), store.keys.agents()], [input.id, ...fields]);
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
  return readHashesOfSet(store, 'agent list', store.keys.agents(), (id) => store.keys.agent(id), toAccount);
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
  const [deleted] = await execTx('agent delete', store.redis.multi().del(store.keys.agent(id)).srem(store.keys.agents(), id));
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
      .then((fresh) => runLua(store, 'rehash-pin', [store.keys.agent(id)], [stored, fresh]))
      .catch(() => undefined);
  }
  return account;
}

/** For a keyed ID that names no agent: always false, at the cost of a real check (no timing tells the two apart), without reading any key. */
export async function verifyPinOfNoAgent(pin: string, opts: AccountOptions = {}): Promise<false> {
  await verifyPin(pin, await dummyHash(opts.pinHash ?? DEFAULT_PIN_HASH));
  return false;
}

/**
 * The one agent whose account lists this number as its mobile, or undefined
 * (none, or several: then the caller keys the ID).
 */
export async function agentByMobile(store: Store, phone: string): Promise<string | undefined> {
  // A scan of the accounts: fine for hundreds of agents; a mobile -> agent index would replace it.
  const matches = (await listAgents(store)).filter((a) => a.mobile === phone);
  return matches.length === 1 ? matches[0]!.id : undefined;
}
