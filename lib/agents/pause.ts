// Pause and unpause with a reason code: QueuePause with Reason, in one queue
// or (no Queue header) every queue the agent's interface is in. What the
// dialplan is told comes from a QueueStatus after the change, not from what
// was asked; the reason goes to the audit trail and the member records.
import { BadParamsError } from '../errors.ts';
import { recordChange, type MemberRecord } from '../queues/member-store.ts';
import type { OwnChange } from '../sync/own-changes.ts';
import type { Origin } from '../queues/membership.ts';
import { validQueue } from '../queues/names.ts';
import { liveMembership, pauseMember, type QueueMember } from '../queues/pbx.ts';
import { agentRecords } from './agent-members.ts';
import { agentAudit } from './audit-entry.ts';
import { getAgentBinding } from './bindings.ts';
import type { AgentDeps } from './deps.ts';
import { NotLoggedInError } from './flow-errors.ts';
import { withAgentLock, withInterfaceLocks } from './locks.ts';
import { summarizeAgent, type AgentStatus } from './status.ts';

export type PauseMode = 'pause' | 'unpause' | 'toggle';

/**
 * A reason code reaches the AMI wire, queue_log and astdb (which splits on
 * `;` and `|`): short, plain characters only.
 */
export function validPauseReason(reason: string): string {
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(reason)) throw new BadParamsError('pause reason must be 1 to 32 letters, digits, "_", "." or "-"');
  return reason;
}

/** `mode`, `queue` and `reason` from a script's query string, checked. */
export function readPauseParams(params: Record<string, string>): { mode: PauseMode; queue?: string; reason?: string } {
  const mode = (params.mode ?? '').trim().toLowerCase() || 'toggle';
  if (mode !== 'pause' && mode !== 'unpause' && mode !== 'toggle') throw new BadParamsError('mode must be pause, unpause or toggle');
  const queue = (params.queue ?? '').trim();
  const reason = (params.reason ?? '').trim();
  return { mode, ...(queue ? { queue: validQueue(queue) } : {}), ...(reason ? { reason: validPauseReason(reason) } : {}) };
}

/** Pure: pause (true) or unpause (false). A toggle unpauses only an agent paused everywhere asked. */
export function planPause(mode: PauseMode, members: QueueMember[]): boolean {
  if (mode !== 'toggle') return mode === 'pause';
  return !(members.length > 0 && members.every((m) => m.paused));
}

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
  if (req.queue !== undefined) validQueue(req.queue);
  return withAgentLock(store, req.agentId, async () => {
    const binding = await getAgentBinding(store, req.agentId);
    if (!binding) throw new NotLoggedInError(req.agentId);
    const iface = binding.interface;
    return withInterfaceLocks(store, [iface], async () => {
      const inScope = (live: Map<string, QueueMember>) => [...live.values()].filter((m) => req.queue === undefined || m.queue === req.queue);
      const before = inScope(await liveMembership(pbx, iface));
      if (before.length === 0) {
        log.warn({ agent: req.agentId, iface, queue: req.queue }, 'agent is bound but Asterisk has no member to pause');
        throw new NotLoggedInError(req.agentId, req.queue ? `agent ${req.agentId} is not in queue ${req.queue}` : `Asterisk has no member for agent ${req.agentId}`);
      }
      const want = planPause(req.mode, before);
      if ((await pauseMember(pbx, { queue: req.queue, interface: iface, paused: want, reason: req.reason })) === 'absent') {
        throw new NotLoggedInError(req.agentId, `Asterisk has no member for agent ${req.agentId}${req.queue ? ` in queue ${req.queue}` : ''}`);
      }
      try {
        const all = await liveMembership(pbx, iface);
        const after = inScope(all);
        // The status is the agent's, across every queue; paused and reason are about the queues asked.
        const status = summarizeAgent([...all.values()]);
        const scope = summarizeAgent(after);
        const paused = after.length > 0 && after.every((m) => m.paused);
        const reason = paused ? scope.pausedReason : '';
        const records = new Map((await agentRecords(store, req.agentId)).filter((r) => r.interface === iface).map((r) => [r.queue, r]));
        const put: MemberRecord[] = after.flatMap((m) => {
          const r = records.get(m.queue);
          return r ? [{ ...r, paused: m.paused, reason: m.pausedReason }] : [];
        });
        await recordChange(store, {
          put,
          audit: [agentAudit(req.origin, req.agentId, paused ? 'pause' : 'unpause', 'OK', {
            queue: req.queue,
            detail: [req.reason ? `reason=${req.reason}` : '', `phone=${binding.phone}`].filter(Boolean).join(' '),
          })],
        });
        // Recorded, locks still held: the pause events of the members that changed need no reconcile.
        const was = new Map(before.map((m) => [m.queue, m]));
        deps.ownChanges?.(after.flatMap((m): OwnChange[] => {
          const b = was.get(m.queue);
          // A member without a record is left to the reconcile, which adopts it.
          return b && records.has(m.queue) && (b.paused !== m.paused || b.pausedReason !== m.pausedReason)
            ? [{ kind: 'pause', queue: m.queue, interface: iface, subject: req.agentId, paused: m.paused }]
            : [];
        }));
        log.info({ agent: req.agentId, paused, queue: req.queue, reason: req.reason }, paused ? 'agent paused' : 'agent unpaused');
        return { ...status, paused, reason };
      } catch (err) {
        // Put each queue back as it was.
        for (const m of before) {
          await pauseMember(pbx, { queue: m.queue, interface: iface, paused: m.paused, reason: m.pausedReason || undefined })
            .catch((e: Error) => log.error({ err: e.message, agent: req.agentId, queue: m.queue }, 'could not undo a pause; the re-sync will settle it'));
        }
        throw err;
      }
    });
  });
}
