// A queue member as Asterisk reports it: one shape, parsed once at the AMI
// edge (QueueStatus items and QueueMember* events alike, lib/ami).
import type { QueueMember } from '../ami/client.ts';

export type { QueueMember };

/** A queue as it stands for one interface: a dynamic member (in), none (out), or a static one no AMI action can change. */
export type QueueState = 'in' | 'out' | 'static';

export function isDynamic(m: QueueMember): boolean {
  return m.membership === 'dynamic';
}

export function memberState(m: QueueMember | undefined): QueueState {
  if (!m) return 'out';
  return isDynamic(m) ? 'in' : 'static';
}
