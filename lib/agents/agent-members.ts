// Which queue members are an agent's: at its interface, in its queues or in
// queues Redis recorded for it. A number logged in at the same phone in
// another queue is not the agent's and is left alone.
import { listMemberRecords, type MemberRecord } from '../queues/member-store.ts';
import type { QueueState } from '../queues/membership.ts';
import { isDynamic, type QueueMember } from '../queues/pbx.ts';
import type { Store } from '../store/redis.ts';

export function memberState(m: QueueMember | undefined): QueueState {
  if (!m) return 'out';
  return isDynamic(m) ? 'in' : 'static';
}

/** Every member record Redis holds for the agent, at any interface. */
export async function agentRecords(store: Store, agentId: string): Promise<MemberRecord[]> {
  return (await listMemberRecords(store)).filter((r) => r.kind === 'agent' && r.subject === agentId);
}

/** The dynamic members of `live` (one interface) that belong to the agent. */
export function agentMembersAt(live: Map<string, QueueMember>, iface: string, queues: string[], records: MemberRecord[]): QueueMember[] {
  const mine = new Set([...queues, ...records.filter((r) => r.interface === iface).map((r) => r.queue)]);
  return [...live.values()].filter((m) => isDynamic(m) && mine.has(m.queue)).sort((a, b) => a.queue.localeCompare(b.queue));
}
