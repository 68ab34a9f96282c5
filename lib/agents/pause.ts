// Pause and unpause with a reason code: QueuePause with Reason, in one queue
// or (no Queue header) every queue the agent's interface is in. What is
// reported comes from a QueueStatus after the change, not from what was asked;
// the reason goes to the audit trail and the member records.
import type { QueueMember } from '../asterisk/member.ts';
import { liveMembership } from '../asterisk/pbx.ts';
import { pauseOutcome, planPause, validPauseReason, type PauseMode } from '../members/pause-plan.ts';
import { withMemberChange } from '../members/change.ts';
import { auditBy, type Origin } from '../store/audit.ts';
import { withAgentChange } from './agent-change.ts';
import { queueName, validQueue } from '../validate.ts';
import { agentRecordsAt } from './agent-members.ts';
import { getAgentBinding } from './bindings.ts';
import type { AgentDeps } from './deps.ts';
import { NotLoggedInError } from './errors.ts';
import { summarizeAgent, type AgentStatus } from './status.ts';

export { planPause, validPauseReason, type PauseMode } from '../members/pause-plan.ts';

export interface PauseRequest {
  agentId: string;
  mode: PauseMode;
  /** One queue; all the agent's queues when absent. */
  queue?: string;
  reason?: string;
  origin: Origin;
}

export interface PauseResult extends AgentStatus {
  /** Paused in every queue asked, as Asterisk reports after the change. */
  paused: boolean;
  /** Asterisk's pause reason in the queues asked; '' when not paused. */
  reason: string;
}

export async function pauseAgent(deps: AgentDeps, req: PauseRequest): Promise<PauseResult> {
  const { store, pbx, log } = deps;
  if (req.reason !== undefined) validPauseReason(req.reason);
  const queue = req.queue === undefined ? undefined : validQueue(req.queue);
  const notIn = () => new NotLoggedInError(req.agentId, `Asterisk has no member for agent ${req.agentId}${req.queue ? ` in queue ${req.queue}` : ''}`);
  return withAgentChange(deps, req.agentId, async () => {
    const binding = await getAgentBinding(store, req.agentId);
    if (!binding) throw new NotLoggedInError(req.agentId);
    const iface = binding.interface;
    return withMemberChange(deps, { subject: req.agentId, interfaces: [iface] }, async (tx) => {
      const inScope = (live: Map<string, QueueMember>) => [...live.values()].filter((m) => queue === undefined || queueName(m.queue) === queue);
      const before = inScope(await liveMembership(pbx, iface));
      if (before.length === 0) {
        log.warn({ agent: req.agentId, iface, queue }, 'agent is bound but Asterisk has no member to pause');
        throw notIn();
      }
      const want = planPause(req.mode, before);
      const applied = await tx.apply({ pause: { queue, interface: iface, paused: want, reason: req.reason, was: before } });
      if (applied.pause === 'absent') throw notIn();

      const all = await liveMembership(pbx, iface);
      const after = inScope(all);
      // The status is the agent's, across every queue; paused and reason are about the queues asked.
      const status = summarizeAgent([...all.values()]);
      const paused = after.length > 0 && after.every((m) => m.paused);
      const reason = paused ? summarizeAgent(after).pausedReason : '';
      const { put, caused } = pauseOutcome(before, after, await agentRecordsAt(store, req.agentId, [iface]), iface, req.agentId);
      await tx.record({
        put,
        audit: [auditBy(req.origin, req.agentId, paused ? 'pause' : 'unpause', 'OK', {
          queue,
          detail: [req.reason ? `reason=${req.reason}` : '', `phone=${binding.phone}`].filter(Boolean).join(' '),
        })],
      });
      // The pause events of the members that changed need no reconcile.
      tx.expect(caused);
      log.info({ agent: req.agentId, paused, queue, reason: req.reason }, paused ? 'agent paused' : 'agent unpaused');
      return { ...status, paused, reason };
    });
  });
}
