// An agent's state as Asterisk reports it, in the words the dialplan reads
// (AGENTSTATUS): LOGGEDOUT, AVAILABLE, PAUSED or ONCALL. Redis only says where
// to look (the bound interface); the answer comes from QueueStatus.
import { liveMembership, type QueuePbx } from '../asterisk/pbx.ts';
import { type QueueMember } from '../asterisk/member.ts';
import type { Store } from '../store/redis.ts';
import { getAgentBinding } from './bindings.ts';
import { busyWithCall } from '../asterisk/device-state.ts';
import { queueName } from '../validate.ts';

export type AgentStatusWord = 'LOGGEDOUT' | 'AVAILABLE' | 'PAUSED' | 'ONCALL';

export interface AgentStatus {
  status: AgentStatusWord;
  /** Asterisk's pause reason where the agent is paused (the first queue's that has one), else ''. */
  pausedReason: string;
  /** Queues the agent is a member of, and those where it is paused. */
  queues: string[];
  pausedQueues: string[];
  phone?: string;
  interface?: string;
}

/**
 * Pure: the word for a set of members of one interface. On a call wins (a
 * paused agent can still be finishing one); PAUSED only when paused in every
 * queue, since a member unpaused anywhere still gets calls.
 */
export function summarizeAgent(members: QueueMember[]): AgentStatus {
  const queues = members.map((m) => queueName(m.queue)).sort();
  const pausedMembers = members.filter((m) => m.paused);
  const pausedQueues = pausedMembers.map((m) => queueName(m.queue)).sort();
  const pausedReason = pausedMembers.find((m) => m.pausedReason !== '')?.pausedReason ?? '';
  let status: AgentStatusWord;
  if (members.length === 0) status = 'LOGGEDOUT';
  else if (members.some((m) => m.inCall || busyWithCall(m.status))) status = 'ONCALL';
  else if (pausedMembers.length === members.length) status = 'PAUSED';
  else status = 'AVAILABLE';
  return { status, pausedReason, queues, pausedQueues };
}

export async function agentStatus(deps: { pbx: QueuePbx; store: Store }, agentId: string): Promise<AgentStatus> {
  const binding = await getAgentBinding(deps.store, agentId);
  if (!binding) return { status: 'LOGGEDOUT', pausedReason: '', queues: [], pausedQueues: [] };
  const live = await liveMembership(deps.pbx, binding.interface);
  return { ...summarizeAgent([...live.values()]), phone: binding.phone, interface: binding.interface };
}
