// A number (a mobile logged in with queue-*) pausing or unpausing itself, or
// being paused by a supervisor or the auto-pause: QueuePause with Reason in
// one queue or every queue its member is in, through the one member
// transaction (intent, undo, record). The shape of the agent pause
// (lib/agents/pause.ts); what is reported comes from QueueStatus afterwards.
import { knownInterfaces } from '../asterisk/interfaces.ts';
import { isDynamic, type QueueMember } from '../asterisk/member.ts';
import { liveMembership } from '../asterisk/pbx.ts';
import { AppError } from '../errors.ts';
import { withMemberChange, type ChangeDeps } from '../members/change.ts';
import { pauseOutcome, planPause, validPauseReason, type PauseMode } from '../members/pause-plan.ts';
import { recordsAt } from '../members/records.ts';
import { auditBy, type Origin } from '../store/audit.ts';
import { queueName, validQueue } from '../validate.ts';

/** The number is no dynamic member of the queues asked: nothing to pause. */
export class NumberNotLoggedInError extends AppError {
  constructor(number: string, queue?: string) {
    super('NOT_LOGGED_IN', `number ${number} is not logged in${queue ? ` to queue ${queue}` : ''}`);
  }
}

export interface NumberPauseRequest {
  number: string;
  context: string;
  mode: PauseMode;
  /** One queue; every queue the number is in when absent. */
  queue?: string;
  reason?: string;
  origin: Origin;
  /** The audit action; default pause / unpause. The auto-pause writes `auto-pause`. */
  action?: string;
}

export interface NumberPauseResult {
  interface: string;
  /** Paused in every queue asked, as Asterisk reports after the change. */
  paused: boolean;
  /** Asterisk's pause reason in the queues asked; '' when not paused. */
  reason: string;
  /** Every queue where the member is paused now. */
  pausedQueues: string[];
  /** Every queue the number is a dynamic member of. */
  queues: string[];
}

export async function pauseNumber(deps: ChangeDeps, req: NumberPauseRequest): Promise<NumberPauseResult> {
  // The member as added now (through the confirm context or not), or as added before that was switched.
  return pauseInterface(deps, { ...req, interfaces: knownInterfaces(req.number, req.context, deps.members) });
}

/** The same for member interfaces of this number: the first that is a member of the queues asked is paused. */
export async function pauseInterface(deps: ChangeDeps, req: Omit<NumberPauseRequest, 'context'> & { interfaces: string[] }): Promise<NumberPauseResult> {
  const { pbx, store, log } = deps;
  if (req.reason !== undefined) validPauseReason(req.reason);
  const queue = req.queue === undefined ? undefined : validQueue(req.queue);
  return withMemberChange(deps, { subject: req.number, interfaces: req.interfaces }, async (tx) => {
    const inScope = (live: Map<string, QueueMember>) => [...live.values()].filter((m) => isDynamic(m) && (queue === undefined || queueName(m.queue) === queue));
    let iface = req.interfaces[0]!;
    let before: QueueMember[] = [];
    for (const candidate of req.interfaces) {
      before = inScope(await liveMembership(pbx, candidate));
      iface = candidate;
      if (before.length) break;
    }
    if (before.length === 0) throw new NumberNotLoggedInError(req.number, queue);
    const want = planPause(req.mode, before);
    const applied = await tx.apply({ pause: { queue, interface: iface, paused: want, reason: want ? req.reason : undefined, was: before } });
    if (applied.pause === 'absent') throw new NumberNotLoggedInError(req.number, queue);

    const all = await liveMembership(pbx, iface);
    const after = inScope(all);
    const paused = after.length > 0 && after.every((m) => m.paused);
    const reason = paused ? (after.find((m) => m.pausedReason)?.pausedReason ?? '') : '';
    const { put, caused } = pauseOutcome(before, after, await recordsAt(store, [iface]), iface, req.number);
    const action = req.action ?? (paused ? 'pause' : 'unpause');
    await tx.record({
      put,
      audit: [auditBy(req.origin, req.number, action, 'OK', { queue, detail: [paused ? 'paused' : 'unpaused', req.reason && want ? `reason=${req.reason}` : ''].filter(Boolean).join(' ') })],
    });
    tx.expect(caused);
    log.info({ number: req.number, paused, queue, reason: req.reason }, paused ? 'number paused' : 'number unpaused');
    const dyn = [...all.values()].filter(isDynamic);
    return {
      interface: iface,
      paused,
      reason,
      pausedQueues: dyn.filter((m) => m.paused).map((m) => queueName(m.queue)).sort(),
      queues: dyn.map((m) => queueName(m.queue)).sort(),
    };
  });
}
