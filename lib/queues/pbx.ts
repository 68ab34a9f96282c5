// The part of Asterisk the queue domain needs, as a narrow port: AmiClient
// satisfies it, and the domain never sees a socket. AMI's outcomes that
// the domain branches on are turned into a few words here, in one place.
import {
  AmiAlreadyThereError,
  AmiDisconnectedError,
  AmiInterfaceNotFoundError,
  AmiMemberNotDynamicError,
  AmiNoSuchQueueError,
  AmiNotThereError,
  AmiTimeoutError,
} from '../ami/errors.ts';
import type { QueueMember } from '../ami/client.ts';
import { AppError, PbxUnavailableError } from '../errors.ts';

export type { QueueMember };

export interface QueuePbx {
  queueStatus(a?: { queue?: string; member?: string }): Promise<{ members: QueueMember[] }>;
  queueAdd(a: { queue: string; interface: string; penalty?: number; paused?: boolean; memberName?: string; stateInterface?: string; reason?: string }): Promise<void>;
  queueRemove(a: { queue: string; interface: string }): Promise<void>;
  queuePause(a: { queue?: string; interface: string; paused: boolean; reason?: string }): Promise<void>;
}

/** The queue does not exist in Asterisk; nothing was changed. */
export class NoSuchQueueError extends AppError {
  constructor(queue: string) {
    super('NO_SUCH_QUEUE', `Asterisk has no queue ${queue}`);
  }
}

export type AddOutcome = 'added' | 'already';
export type RemoveOutcome = 'removed' | 'absent' | 'static';
export type PauseOutcome = 'done' | 'absent';

/** AMI outages become PbxUnavailableError (the one error callers branch on); anything else is rethrown. */
export function unavailable(what: string, err: unknown): never {
  if (err instanceof AmiDisconnectedError || err instanceof AmiTimeoutError) {
    throw new PbxUnavailableError(`Asterisk did not answer ${what}: ${err.message}`, { cause: err });
  }
  throw err;
}

/** `Already there` is the state we wanted, not an error. */
export async function addMember(pbx: QueuePbx, a: Parameters<QueuePbx['queueAdd']>[0]): Promise<AddOutcome> {
  try {
    await pbx.queueAdd(a);
    return 'added';
  } catch (err) {
    if (err instanceof AmiAlreadyThereError) return 'already';
    if (err instanceof AmiNoSuchQueueError) throw new NoSuchQueueError(a.queue);
    return unavailable(`QueueAdd ${a.queue}`, err);
  }
}

/** `Not there` is the state we wanted; a static member cannot be removed over AMI. */
export async function removeMember(pbx: QueuePbx, a: { queue: string; interface: string }): Promise<RemoveOutcome> {
  try {
    await pbx.queueRemove(a);
    return 'removed';
  } catch (err) {
    if (err instanceof AmiNotThereError) return 'absent';
    if (err instanceof AmiMemberNotDynamicError) return 'static';
    if (err instanceof AmiNoSuchQueueError) return 'absent';
    return unavailable(`QueueRemove ${a.queue}`, err);
  }
}

/**
 * QueuePause, in one queue or (without `queue`) every queue the interface is
 * in. `Interface not found` means Asterisk has no such member there: the
 * caller decides what that means.
 */
export async function pauseMember(pbx: QueuePbx, a: Parameters<QueuePbx['queuePause']>[0]): Promise<PauseOutcome> {
  try {
    await pbx.queuePause(a);
    return 'done';
  } catch (err) {
    if (err instanceof AmiInterfaceNotFoundError) return 'absent';
    return unavailable(`QueuePause ${a.queue ?? '(all queues)'}`, err);
  }
}

/** Every member of every queue, as Asterisk has them now. */
export async function allMembers(pbx: QueuePbx): Promise<QueueMember[]> {
  try {
    return (await pbx.queueStatus()).members;
  } catch (err) {
    return unavailable('QueueStatus', err);
  }
}

/**
 * Asterisk's live membership of one interface, by queue. With `onlyQueue`, only
 * that queue is asked for: without a Queue filter, QueueStatus lists the
 * QueueParams of every queue Asterisk has, for every toggle.
 */
export async function liveMembership(pbx: QueuePbx, iface: string, onlyQueue?: string): Promise<Map<string, QueueMember>> {
  try {
    const { members } = await pbx.queueStatus(onlyQueue === undefined ? { member: iface } : { queue: onlyQueue, member: iface });
    // The Member filter also matches member names; keep only this interface.
    return new Map(members.filter((m) => m.location === iface).map((m) => [m.queue, m]));
  } catch (err) {
    return unavailable('QueueStatus', err);
  }
}

export function isDynamic(m: QueueMember): boolean {
  return m.membership === 'dynamic';
}
