// How a member's phone is doing. app_queue reports the device state number
// (AST_DEVICE_* of include/asterisk/devicestate.h) in QueueMemberStatus and
// QueueStatus; nothing else should need to know the table.

export type MemberStatusWord =
  | 'unknown'
  | 'not-in-use'
  | 'in-use'
  | 'busy'
  | 'invalid'
  | 'unavailable'
  | 'ringing'
  | 'ring-in-use'
  | 'on-hold';

export const MEMBER_STATUS_WORDS: readonly MemberStatusWord[] = ['unknown', 'not-in-use', 'in-use', 'busy', 'invalid', 'unavailable', 'ringing', 'ring-in-use', 'on-hold'];

export function statusWord(code: number): MemberStatusWord {
  return MEMBER_STATUS_WORDS[code] ?? 'unknown';
}

/** INUSE, BUSY, RINGINUSE, ONHOLD: the phone is taken by a call. RINGING alone is not a call yet. */
export function busyWithCall(code: number): boolean {
  return code === 2 || code === 3 || code === 7 || code === 8;
}
