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
import { sameBindingAt, type IntentBinding } from '../store/intents.ts';
import { runLua } from '../store/lua.ts';
import { readHashesOfSet, storeOp, type Store } from '../store/redis.ts';
import { PhoneTakenError } from './errors.ts';
import { validateAgentId, validateInterface, validatePhone } from '../validate.ts';

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
    const r = (await runLua(store, 'bind-agent',
      [k.agentBinding(req.agentId), k.phoneBinding(req.phone), k.bindings(), oldKey],
      [req.agentId, req.phone, req.interface, String(req.since), readPhone])) as Reply;
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
    const r = (await runLua(store, 'unbind-agent', [k.agentBinding(agentId), k.phoneBinding(p), k.bindings()], [agentId, p])) as Reply;
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

/** The binding a verb read before taking its interfaces' locks has moved since (the re-sync put back an interrupted change's). */
export class BindingMovedError extends Error {}

/**
 * Runs `attempt` with the agent's binding as read now, again (up to 3 times)
 * while it throws BindingMovedError. A verb reads the binding to know which
 * interfaces to lock, and checks it again under them (bindingStill).
 */
export async function withBindingRead<T>(store: Store, agentId: string, attempt: (read: AgentBinding | null) => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt(await getAgentBinding(store, agentId));
    } catch (err) {
      if (!(err instanceof BindingMovedError) || i >= 3) throw err;
    }
  }
}

/** Under the interfaces' locks: BindingMovedError unless the agent's binding is still `read`. */
export async function bindingStill(store: Store, agentId: string, read: AgentBinding | null): Promise<void> {
  if (!sameBindingAt(await getAgentBinding(store, agentId), read)) throw new BindingMovedError(`the binding of agent ${agentId} moved while its change waited for its locks`);
}

/** Where a binding is, without whose: as an intent keeps it. */
export function bindingOf(b: AgentBinding | null): IntentBinding['was'] {
  return b ? { phone: b.phone, interface: b.interface, since: b.since } : null;
}

/**
 * Puts an agent's binding back as it was before a change that did not finish
 * (its undo, or the re-sync's repair of its intent): bound as `was`, or, with
 * `was` null, no longer bound to `from`'s phone. If another agent has taken
 * the old phone meanwhile, the agent is left unbound: bound to neither.
 * Says which it did.
 */
export async function restoreBinding(
  store: Store,
  agentId: string,
  was: IntentBinding['was'],
  from: { phone: string } | null,
): Promise<'bound' | 'unbound' | 'phone-taken'> {
  if (was) {
    try {
      await bindAgent(store, { agentId, phone: was.phone, interface: was.interface, since: was.since });
      return 'bound';
    } catch (err) {
      if (!(err instanceof PhoneTakenError)) throw err;
    }
  }
  if (from) await unbindAgent(store, agentId, { phone: from.phone });
  return was ? 'phone-taken' : 'unbound';
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
  return readHashesOfSet(store, 'list bindings', store.keys.bindings(), (id) => store.keys.agentBinding(id), toBinding);
}
