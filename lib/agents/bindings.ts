// Which agent is at which phone, one-to-one both ways, shared by every
// instance on the Redis. Two keys hold the two directions (phone -> agent id,
// agent -> {phone, interface, since}) plus a set of bound agents for listing;
// every change to them is one Lua script, so no reader ever sees one direction
// without the other, and two agents racing for one phone cannot both win.
//
// The scripts do not build keys (only lib/store/keys.ts spells keys), so the
// key of the phone an agent is leaving is passed in from what was last read;
// if the agent's binding changed meanwhile the script changes nothing and says
// so (STALE), and we read again and retry.
import { BadParamsError, BusyError } from '../errors.ts';
import { storeOp, type Store } from '../store/redis.ts';
import { PhoneTakenError } from './errors.ts';
import { validateAgentId, validateInterface, validatePhone } from './validate.ts';

export interface AgentBinding {
  agentId: string;
  /** Canonical phone identifier: an extension (`1001`) or a mobile (`79112223344`). */
  phone: string;
  /** The queue member interface this agent rings at that phone. */
  interface: string;
  /** ms since the epoch when the agent was bound there. */
  since: number;
}

export interface BindResult {
  /** True when the agent was already bound to this phone with this interface; nothing changed. */
  already: boolean;
  /**
   * Where the agent was bound before this call, now released. Same phone with
   * another interface also lands here: the old interface is what to remove.
   */
  movedFrom?: { phone: string; interface: string };
}

// Bounded, because each STALE means another change to this agent's binding
// succeeded; running out only happens under a storm of logins for one agent.
const MAX_ATTEMPTS = 20;

const BOUND = 0;
const ALREADY = 1;
const MOVED = 2;
const PHONE_TAKEN = -1;
const STALE = -2;

// KEYS[1] agentBinding(agent)  KEYS[2] phoneBinding(new phone)  KEYS[3] bindings set
// KEYS[4] phoneBinding(phone the agent was last read at; KEYS[2] when read as unbound)
// ARGV[1] agentId  ARGV[2] new phone  ARGV[3] interface  ARGV[4] since (ms)
// ARGV[5] phone the agent was last read at ('' when unbound)
// Returns:
//   {0}                      bound; the agent was not bound before
//   {1}                      already bound to this phone with this interface; nothing changed
//   {2, oldPhone, oldIface}  bound; the old binding was released in the same step
//   {-1, otherAgent}         the phone is another agent's; nothing changed
//   {-2, currentPhone}       the agent's binding is not what was read; nothing changed
const BIND = `
local cur = redis.call('HMGET', KEYS[1], 'phone', 'interface')
local curPhone = cur[1] or ''
if curPhone ~= ARGV[5] then return {-2, curPhone} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return {-1, holder} end
if curPhone == ARGV[2] and cur[2] == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('SADD', KEYS[3], ARGV[1])
  return {1}
end
if curPhone ~= '' and curPhone ~= ARGV[2] and redis.call('GET', KEYS[4]) == ARGV[1] then
  redis.call('DEL', KEYS[4])
end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'phone', ARGV[2], 'interface', ARGV[3], 'since', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[1])
if curPhone == '' then return {0} end
return {2, curPhone, cur[2] or ''}`;

// KEYS[1] agentBinding(agent)  KEYS[2] phoneBinding(phone)  KEYS[3] bindings set
// ARGV[1] agentId  ARGV[2] phone the agent must be bound to
// Returns:
//   {0}                           the agent is not bound; nothing changed
//   {1, phone, interface, since}  removed both directions
//   {-2, currentPhone}            the agent is bound to another phone; nothing changed
const UNBIND = `
local cur = redis.call('HMGET', KEYS[1], 'phone', 'interface', 'since')
if not cur[1] then
  redis.call('SREM', KEYS[3], ARGV[1])
  return {0}
end
if cur[1] ~= ARGV[2] then return {-2, cur[1]} end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return {1, cur[1], cur[2] or '', cur[3] or '0'}`;

type Reply = [number, ...string[]];

/**
 * Binds the agent to the phone, moving it from wherever it was in the same
 * atomic step. PhoneTakenError (nothing changed) when another agent holds the
 * phone: that agent must log out first.
 */
export async function bindAgent(
  store: Store,
  req: { agentId: string; phone: string; interface: string; since: number },
): Promise<BindResult> {
  validateAgentId(req.agentId);
  validatePhone(req.phone);
  validateInterface(req.interface);
  if (!Number.isSafeInteger(req.since) || req.since < 0) throw new BadParamsError('since must be a time in ms');
  const k = store.keys;
  let readPhone = '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const oldKey = k.phoneBinding(readPhone || req.phone);
    const r = (await storeOp('bind agent', () => store.redis.eval(BIND, 4,
      k.agentBinding(req.agentId), k.phoneBinding(req.phone), k.bindings(), oldKey,
      req.agentId, req.phone, req.interface, String(req.since), readPhone))) as Reply;
    switch (r[0]) {
      case BOUND: return { already: false };
      case ALREADY: return { already: true };
      case MOVED: return { already: false, movedFrom: { phone: r[1]!, interface: r[2]! } };
      case PHONE_TAKEN: throw new PhoneTakenError(req.phone, r[1]!);
      case STALE: readPhone = r[1]!; continue;
      default: throw new Error(`bind script returned ${String(r[0])}`);
    }
  }
  throw new BusyError(`the binding of agent ${req.agentId} kept changing; try again`);
}

/**
 * Removes the agent's binding in both directions and returns what was removed,
 * or null when there was nothing to remove. With `expected`, removes only while
 * the agent is still bound to that phone (a logout that raced a move to another
 * phone must not undo the move).
 */
export async function unbindAgent(store: Store, agentId: string, expected?: { phone: string }): Promise<AgentBinding | null> {
  validateAgentId(agentId);
  if (expected) validatePhone(expected.phone);
  const k = store.keys;
  let phone = expected?.phone ?? (await getAgentBinding(store, agentId))?.phone;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && phone !== undefined; attempt++) {
    const p = phone;
    const r = (await storeOp('unbind agent', () => store.redis.eval(UNBIND, 3,
      k.agentBinding(agentId), k.phoneBinding(p), k.bindings(), agentId, p))) as Reply;
    switch (r[0]) {
      case 0: return null;
      case 1: return { agentId, phone: r[1]!, interface: r[2]!, since: Number(r[3]) };
      case STALE:
        if (expected) return null;
        phone = r[1]!;
        continue;
      default: throw new Error(`unbind script returned ${String(r[0])}`);
    }
  }
  if (phone === undefined) return null;
  throw new BusyError(`the binding of agent ${agentId} kept changing; try again`);
}

function toBinding(agentId: string, h: Record<string, string>): AgentBinding | null {
  if (!h.phone || !h.interface) return null;
  return { agentId, phone: h.phone, interface: h.interface, since: Number(h.since ?? 0) };
}

export async function getAgentBinding(store: Store, agentId: string): Promise<AgentBinding | null> {
  validateAgentId(agentId);
  return toBinding(agentId, await storeOp('read binding', () => store.redis.hgetall(store.keys.agentBinding(agentId))));
}

/** The id of the agent bound to this phone, or null. */
export async function getPhoneAgent(store: Store, phone: string): Promise<string | null> {
  validatePhone(phone);
  return storeOp('read binding', () => store.redis.get(store.keys.phoneBinding(phone)));
}

/** Every binding, ordered by agent id as a number. */
export async function listBindings(store: Store): Promise<AgentBinding[]> {
  const ids = await storeOp('list bindings', () => store.redis.smembers(store.keys.bindings()));
  if (ids.length === 0) return [];
  const pipe = store.redis.pipeline();
  for (const id of ids) pipe.hgetall(store.keys.agentBinding(id));
  const rows = await storeOp('list bindings', async () => (await pipe.exec()) ?? []);
  const out: AgentBinding[] = [];
  rows.forEach(([err, h], i) => {
    if (err) throw new Error(`reading binding of agent ${ids[i]} failed: ${err.message}`);
    const b = toBinding(ids[i]!, h as Record<string, string>);
    if (b) out.push(b);
  });
  return out.sort((a, b) => a.agentId.padStart(20, '0').localeCompare(b.agentId.padStart(20, '0')) || a.agentId.length - b.agentId.length);
}
