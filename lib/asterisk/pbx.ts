// The part of Asterisk the domain needs, as a narrow port: AmiClient satisfies
// it, and the domain never sees a socket. AMI's outcomes that the domain
// branches on are turned into a few words here, and an AMI outage into
// PbxUnavailableError, in this one place.
import type { QueueMember } from '../ami/client.ts';
import {
  AmiAlreadyThereError,
  AmiDisconnectedError,
  AmiInterfaceNotFoundError,
  AmiMemberNotDynamicError,
  AmiNoSuchQueueError,
  AmiNotThereError,
  AmiTimeoutError,
} from '../ami/errors.ts';
import { NoSuchQueueError, PbxUnavailableError } from '../errors.ts';
import { queueName } from '../validate.ts';
import { sameInterface } from './interfaces.ts';

export interface QueuePbx {
  queueStatus(a?: { queue?: string; member?: string }): Promise<{ params: Array<{ queue: string }>; members: QueueMember[] }>;
  queueAdd(a: { queue: string; interface: string; penalty?: number; paused?: boolean; memberName?: string; stateInterface?: string; reason?: string; wrapuptime?: number }): Promise<void>;
  queueRemove(a: { queue: string; interface: string }): Promise<void>;
  queueMemberRingInUse(a: { queue: string; interface: string; ringInUse: boolean }): Promise<void>;
  queuePause(a: { queue?: string; interface: string; paused: boolean; reason?: string }): Promise<void>;
}

/**
 * The service's own picture of Asterisk's queue members, kept from AMI events
 * and rebuilt at every AMI login (lib/live): undefined while it cannot be
 * trusted. A change decides from it instead of asking QueueStatus, and lets
 * Asterisk's answer to the change be the check (lib/members/change.ts).
 */
export interface MemberMirror {
  liveMembers(interfaces: readonly string[]): QueueMember[] | undefined;
}

/** Global variables (no channel): AGENTBYCALLERID_<phone>, DEVICE_STATE(Custom:...) lamps. */
export interface VariablePbx {
  setvar(variable: string, value: string): Promise<void>;
  getvar(variable: string): Promise<string>;
}

/** The dialplan's hints and their states: where a phone key shows a lamp (lib/sync/blf.ts). */
export interface HintPbx {
  extensionStates(): Promise<Array<{ hint: string; status: number }>>;
}

/** Everything the domain asks of Asterisk; AmiClient satisfies it. */
export interface Pbx extends QueuePbx, VariablePbx {}

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

/** Per-member ring-in-use; `absent` when Asterisk has no such member (gone meanwhile). */
export async function setRingInUse(pbx: QueuePbx, a: { queue: string; interface: string; ringInUse: boolean }): Promise<'done' | 'absent'> {
  try {
    await pbx.queueMemberRingInUse(a);
    return 'done';
  } catch (err) {
    if (err instanceof AmiInterfaceNotFoundError || err instanceof AmiNoSuchQueueError) return 'absent';
    return unavailable(`QueueMemberRingInUse ${a.queue}`, err);
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

export async function setGlobal(pbx: VariablePbx, name: string, value: string): Promise<void> {
  await pbx.setvar(name, value).catch((err: unknown) => unavailable(`Setvar ${name}`, err));
}

export async function getGlobal(pbx: VariablePbx, name: string): Promise<string> {
  return pbx.getvar(name).catch((err: unknown) => unavailable(`Getvar ${name}`, err));
}

export interface LiveState {
  /** Queue names Asterisk reported, lower-cased. */
  known: Set<string>;
  members: QueueMember[];
}

/**
 * What Asterisk has now, in one QueueStatus: the queues it knows (QueueParams
 * comes for every queue asked whatever the Member filter, as app_queue prints
 * it) and the members of the interfaces asked for (all when none are named).
 * With `onlyQueue`, only that queue is asked for: without a Queue filter,
 * QueueStatus lists every queue's QueueParams, which costs on every toggle.
 */
export async function readLive(pbx: QueuePbx, interfaces?: readonly string[], onlyQueue?: string): Promise<LiveState> {
  const member = interfaces?.length === 1 ? interfaces[0] : undefined;
  let status: Awaited<ReturnType<QueuePbx['queueStatus']>>;
  try {
    status = await pbx.queueStatus({ ...(onlyQueue !== undefined ? { queue: onlyQueue } : {}), ...(member !== undefined ? { member } : {}) });
  } catch (err) {
    return unavailable('QueueStatus', err);
  }
  return {
    known: new Set(status.params.map((p) => p.queue.toLowerCase())),
    // The Member filter also matches member names: keep the interfaces asked for.
    members: interfaces ? status.members.filter((m) => interfaces.some((i) => sameInterface(i, m.interface))) : status.members,
  };
}

/** Asterisk's live membership of one interface, by queue name in agentgate's form (lower case). */
export async function liveMembership(pbx: QueuePbx, iface: string, onlyQueue?: string): Promise<Map<string, QueueMember>> {
  const { members } = await readLive(pbx, [iface], onlyQueue);
  return new Map(members.map((m) => [queueName(m.queue), m]));
}

/** Every member of every queue, as Asterisk has them now. */
export async function allMembers(pbx: QueuePbx): Promise<QueueMember[]> {
  return (await readLive(pbx)).members;
}
