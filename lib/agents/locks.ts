// The one lock order of the agent flows: the agent first, then the member
// interfaces it touches, sorted. changeMembership (a number logging itself in)
// takes the same `iface:<interface>` lock, so an agent and a number at one
// phone change it one at a time; sorting stops two agents moving between the
// same two phones from waiting on each other. The agent lock comes first
// because which interfaces to lock is read (the binding) while holding it.
import { withLock } from '../store/lock.ts';
import type { Store } from '../store/redis.ts';

export function withAgentLock<T>(store: Store, agentId: string, fn: () => Promise<T>): Promise<T> {
  return withLock(store, `agent:${agentId}`, fn);
}

/** Call only while holding the agent lock. */
export function withInterfaceLocks<T>(store: Store, interfaces: string[], fn: () => Promise<T>): Promise<T> {
  const ifaces = [...new Set(interfaces)].sort();
  const nest = (i: number): Promise<T> => (i === ifaces.length ? fn() : withLock(store, `iface:${ifaces[i]}`, () => nest(i + 1)));
  return nest(0);
}
