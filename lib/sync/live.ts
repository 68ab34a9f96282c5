// What Asterisk has now, in one QueueStatus: the queues it knows (QueueParams
// comes for every queue whatever the Member filter, as app_queue prints it) and
// the members of the interfaces asked for.
import type { QueueMember } from '../ami/client.ts';
import { AmiDisconnectedError, AmiTimeoutError } from '../ami/errors.ts';
import { PbxUnavailableError } from '../errors.ts';
import type { QueuePbx } from '../queues/pbx.ts';

/** The part of AmiClient the sync needs. */
export interface SyncPbx extends QueuePbx {
  queueStatus(a?: { queue?: string; member?: string }): Promise<{ params: Array<{ queue: string }>; members: QueueMember[] }>;
  setvar(variable: string, value: string): Promise<void>;
}

export interface LiveState {
  /** Queue names Asterisk reported, lower-cased. */
  known: Set<string>;
  members: QueueMember[];
}

/** All members, or those of the given interfaces (one filtered QueueStatus for a single interface). */
export async function readLive(pbx: SyncPbx, interfaces?: readonly string[]): Promise<LiveState> {
  const only = interfaces && new Set(interfaces.map((i) => i.toLowerCase()));
  const member = interfaces?.length === 1 ? interfaces[0] : undefined;
  let status: Awaited<ReturnType<SyncPbx['queueStatus']>>;
  try {
    status = await pbx.queueStatus(member === undefined ? {} : { member });
  } catch (err) {
    if (err instanceof AmiDisconnectedError || err instanceof AmiTimeoutError) {
      throw new PbxUnavailableError(`Asterisk did not answer QueueStatus: ${err.message}`, { cause: err });
    }
    throw err;
  }
  return {
    known: new Set(status.params.map((p) => p.queue.toLowerCase())),
    // The Member filter also matches member names: keep the interfaces asked for.
    members: only ? status.members.filter((m) => only.has(m.location.toLowerCase())) : status.members,
  };
}
