// Which queue members are an agent's: at its interface, in its queues or in
// queues Redis recorded for it there. A number logged in at the same phone in
// another queue is not the agent's and is left alone.
import { isDynamic, type QueueMember } from '../asterisk/member.ts';
import { sameInterface } from '../asterisk/interfaces.ts';
import { recordsAt, type MemberRecord } from '../members/records.ts';
import type { Store } from '../store/redis.ts';
import { queueName } from '../validate.ts';
import { compareText } from '../compare-text.ts';

/** The agent's member records at these interfaces (the one it is bound to, the one it leaves). */
export async function agentRecordsAt(store: Store, agentId: string, interfaces: readonly string[]): Promise<MemberRecord[]> {
  return (await recordsAt(store, interfaces)).filter((r) => r.kind === 'agent' && r.subject === agentId);
}

/** The dynamic members of `live` (one interface) that belong to the agent. */
export function agentMembersAt(live: Map<string, QueueMember>, iface: string, queues: string[], records: MemberRecord[]): QueueMember[] {
  const mine = new Set([...queues, ...records.filter((r) => sameInterface(r.interface, iface)).map((r) => r.queue)].map(queueName));
  return [...live.values()].filter((m) => isDynamic(m) && mine.has(queueName(m.queue))).sort((a, b) => compareText(a.queue, b.queue));
}
