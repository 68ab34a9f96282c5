// Repair of a binding that is half there, for forced logout only. bindings.ts
// never leaves one direction without the other, but a Redis restored from an
// old snapshot, a key deleted by hand or an evicted key can: a phone key still
// naming the agent keeps that phone "taken" for everyone, and an agent hash
// without its interface is invisible to getAgentBinding. This removes whatever
// is there, and only what names this agent.
import { runLua } from '../store/lua.ts';
import { storeOp, type Store } from '../store/redis.ts';
import { validateAgentId, validatePhone } from '../validate.ts';

/** The agent's binding hash as stored, however incomplete. */
export async function readRawBinding(store: Store, agentId: string): Promise<{ phone?: string; interface?: string }> {
  validateAgentId(agentId);
  const h = await storeOp('read binding', () => store.redis.hgetall(store.keys.agentBinding(agentId)));
  return { ...(h.phone ? { phone: h.phone } : {}), ...(h.interface ? { interface: h.interface } : {}) };
}

/**
 * Deletes the agent's binding hash, its entry in the set of bound agents, and
 * each of `phones` whose key names this agent (a phone now held by another
 * agent is left alone). One atomic step. Returns the phones released.
 */
export async function forceUnbind(store: Store, agentId: string, phones: string[]): Promise<{ hadBinding: boolean; phonesReleased: string[] }> {
  validateAgentId(agentId);
  const list = [...new Set(phones)];
  for (const p of list) validatePhone(p);
  const k = store.keys;
  const r = (await runLua(store, 'force-unbind', [k.agentBinding(agentId), k.bindings(), ...list.map((p) => k.phoneBinding(p))], [agentId])) as number[];
  return { hadBinding: r[0] === 1, phonesReleased: r.slice(1).map((i) => list[i - 1]!) };
}
