// What a pause asks for, shared by every pausing verb (an agent's, a number's,
// the auto-pause): the reason code's shape and the toggle's decision. Pure.
import { sameInterface } from '../asterisk/interfaces.ts';
import type { QueueMember } from '../asterisk/member.ts';
import { BadParamsError } from '../errors.ts';
import { queueName } from '../validate.ts';
import type { OwnChange } from './change.ts';
import type { MemberRecord } from './records.ts';

export type PauseMode = 'pause' | 'unpause' | 'toggle';

/**
 * A reason code reaches the AMI wire, queue_log and astdb (which splits on
 * `;` and `|`): short, plain characters only.
 */
export function validPauseReason(reason: string): string {
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(reason)) throw new BadParamsError('pause reason must be 1 to 32 letters, digits, "_", "." or "-"');
  return reason;
}

/**
 * After a QueuePause, from the members as they were and as Asterisk reports
 * them now: the records to put (their pause as Asterisk has it) and the pause
 * events this change caused. A member without a record is left to the
 * reconcile, which adopts it.
 */
export function pauseOutcome(
  before: readonly QueueMember[],
  after: readonly QueueMember[],
  records: readonly MemberRecord[],
  iface: string,
  subject: string,
): { put: MemberRecord[]; caused: OwnChange[] } {
  const byQueue = new Map(records.filter((r) => sameInterface(r.interface, iface)).map((r) => [queueName(r.queue), r]));
  const was = new Map(before.map((m) => [m.queue, m]));
  const put: MemberRecord[] = [];
  const caused: OwnChange[] = [];
  for (const m of after) {
    const r = byQueue.get(queueName(m.queue));
    if (!r) continue;
    put.push({ ...r, paused: m.paused, reason: m.pausedReason });
    const b = was.get(m.queue);
    if (b && (b.paused !== m.paused || b.pausedReason !== m.pausedReason)) {
      caused.push({ kind: 'pause', queue: m.queue, interface: iface, subject, paused: m.paused });
    }
  }
  return { put, caused };
}

/** Pure: pause (true) or unpause (false). A toggle unpauses only a member paused everywhere asked. */
export function planPause(mode: PauseMode, members: QueueMember[]): boolean {
  if (mode !== 'toggle') return mode === 'pause';
  return !(members.length > 0 && members.every((m) => m.paused));
}
