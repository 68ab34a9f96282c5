// How a member's phone is doing, in words a wallboard shows. app_queue reports
// the device state number (AST_DEVICE_* of include/asterisk/devicestate.h) in
// QueueMemberStatus and QueueStatus; clients should not have to know the table.

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

const WORDS: readonly MemberStatusWord[] = ['unknown', 'not-in-use', 'in-use', 'busy', 'invalid', 'unavailable', 'ringing', 'ring-in-use', 'on-hold'];

export const MEMBER_STATUS_WORDS = WORDS;

export function statusWord(code: number): MemberStatusWord {
  return WORDS[code] ?? 'unknown';
}

/** Device states in which the phone is taken by a call (RINGING alone is not a call yet). */
export function busyWithCall(code: number): boolean {
  return code === 2 || code === 3 || code === 7 || code === 8;
}

/**
 * The number a member interface rings: `Local/79112223344@ctx/n` -> 79112223344,
 * `PJSIP/1001` -> 1001; undefined when it names no such thing (a
 * `Local/name@ctx` with letters, a channel with options).
 */
export function numberOfInterface(iface: string): string | undefined {
  const m = /^Local\/([^@/]+)@/i.exec(iface) ?? /^[A-Za-z0-9_]+\/([^/@;&]+)$/.exec(iface);
  const n = m?.[1];
  return n !== undefined && /^[0-9A-Za-z_.+-]{1,64}$/.test(n) ? n : undefined;
}
