// What a pause asks for, shared by every pausing verb (an agent's, a number's,
// the auto-pause): the reason code's shape and the toggle's decision. Pure.
import type { QueueMember } from '../asterisk/member.ts';
import { BadParamsError } from '../errors.ts';

export type PauseMode = 'pause' | 'unpause' | 'toggle';

/**
 * A reason code reaches the AMI wire, queue_log and astdb (which splits on
 * `;` and `|`): short, plain characters only.
 */
export function validPauseReason(reason: string): string {
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(reason)) throw new BadParamsError('pause reason must be 1 to 32 letters, digits, "_", "." or "-"');
  return reason;
}

/** Pure: pause (true) or unpause (false). A toggle unpauses only a member paused everywhere asked. */
export function planPause(mode: PauseMode, members: QueueMember[]): boolean {
  if (mode !== 'toggle') return mode === 'pause';
  return !(members.length > 0 && members.every((m) => m.paused));
}
