// The one transaction behind every change agentgate makes to Asterisk's queue
// members (a number logging itself in or out, an agent's login, logout, pause
// and forced logout). Each verb checks, plans, and hands its plan to
// withMemberChange, which owns the hard part:
//   - the `iface:` locks of the interfaces touched, in the one lock order;
//   - an intent in Redis before Asterisk is touched, so a process that dies
//     part-way leaves a description the re-sync settles against Asterisk;
//   - the AMI changes, removals first (the old phone stops ringing before the
//     new one starts), each with its undo and the member event it will cause;
//   - the record in Redis, closing the intent in the same MULTI;
//   - on any failure, the undo in reverse (Redis steps the verb registered
//     too), the intent dropped only when Asterisk is known to be as it was;
//   - once recorded, the caused events told to the sync, still under the locks.
import type { QueueMember } from '../ami/client.ts';
import { PbxUnavailableError, StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { addMember, pauseMember, removeMember, type PauseOutcome, type QueuePbx } from '../asterisk/pbx.ts';
import { beginIntent, dropIntent } from '../store/intents.ts';
import { withInterfaceLocks } from '../store/lock.ts';
import type { Store } from '../store/redis.ts';
import { recordChange, type RecordedChange } from './records.ts';

/** A member event agentgate's own recorded change will cause, with the member as recorded. */
export interface OwnChange {
  kind: 'added' | 'removed' | 'pause';
  queue: string;
  interface: string;
  /** The number or agent id, for the lamp. */
  subject: string;
  /** As recorded; false for a removal. */
  paused: boolean;
}

/** Called once a change is recorded, before its locks are released (lib/sync/own-changes.ts). */
export type OwnChangeHook = (changes: readonly OwnChange[]) => void;

export interface ChangeDeps {
  pbx: QueuePbx;
  store: Store;
  log: Logger;
  ownChanges?: OwnChangeHook;
}

export interface MemberAdd {
  queue: string;
  interface: string;
  penalty: number;
  name: string;
  paused: boolean;
  reason?: string;
}

export interface PauseStep {
  /** One queue, or every queue the interface is in. */
  queue?: string;
  interface: string;
  paused: boolean;
  reason?: string;
  /** The members as they stood, for the undo. */
  was: QueueMember[];
}

export interface MemberPlan {
  /** Live members to take out, as Asterisk has them: the undo puts them back so. */
  remove?: QueueMember[];
  add?: MemberAdd[];
  pause?: PauseStep;
}

export interface Applied {
  /** Asked to be added and in Asterisk now (added by this change, or already there). */
  added: MemberAdd[];
  /** Taken out by this change. */
  removed: QueueMember[];
  /** Asked to be taken out and already gone (someone else removed them meanwhile). */
  absent: QueueMember[];
  /** Static members: no AMI action can remove them. */
  static: QueueMember[];
  pause: PauseOutcome | undefined;
}

export interface MemberTx {
  /** Writes the intent, then carries the plan out in Asterisk. Once per change. */
  apply(plan: MemberPlan): Promise<Applied>;
  /** What apply has done so far: all of it once apply returned, part of it if apply failed. */
  readonly progress: Applied;
  /** A step the verb took (a binding) that must be reversed if what follows fails. */
  onUndo(what: string, step: () => Promise<unknown>): void;
  /** Member events the verb knows its change caused (a pause's, read back from Asterisk). */
  expect(changes: readonly OwnChange[]): void;
  /** Records the outcome in one MULTI with the intent closed. Skipped when there is nothing to record. */
  record(change: RecordedChange): Promise<void>;
}

export interface ChangeScope {
  /** The number or agent id: the intent's subject and the log's. */
  subject: string;
  /** Member interfaces the change may touch; their locks are held throughout. */
  interfaces: readonly string[];
  /**
   * false: a failure leaves Asterisk as far as it got and the intent for the
   * re-sync (a forced logout, whose point is to get the agent out).
   */
  undo?: boolean;
}

export function withMemberChange<T>(deps: ChangeDeps, scope: ChangeScope, work: (tx: MemberTx) => Promise<T>): Promise<T> {
  return withInterfaceLocks(deps.store, scope.interfaces, () => runChange(deps, scope, work));
}

async function runChange<T>(deps: ChangeDeps, scope: ChangeScope, work: (tx: MemberTx) => Promise<T>): Promise<T> {
  const { pbx, store, log } = deps;
  const undo: Array<{ what: string; step: () => Promise<unknown> }> = [];
  const caused: OwnChange[] = [];
  let intentId: string | undefined;
  let applied = false;
  let recorded = false;
  const progress: Applied = { added: [], removed: [], absent: [], static: [], pause: undefined };

  const tx: MemberTx = {
    async apply(plan) {
      if (applied) throw new Error('a member change applies one plan');
      applied = true;
      const removes = plan.remove ?? [];
      const adds = plan.add ?? [];
      if (removes.length || adds.length) {
        intentId = await beginIntent(store, {
          subject: scope.subject,
          adds: adds.map((a) => ({ queue: a.queue, interface: a.interface })),
          removes: removes.map((m) => ({ queue: m.queue, interface: m.interface })),
        });
      }
      const out = progress;
      for (const m of removes) {
        const outcome = await removeMember(pbx, { queue: m.queue, interface: m.interface });
        if (outcome === 'static') {
          out.static.push(m);
          continue;
        }
        if (outcome === 'absent') {
          out.absent.push(m);
          continue;
        }
        out.removed.push(m);
        caused.push({ kind: 'removed', queue: m.queue, interface: m.interface, subject: scope.subject, paused: false });
        undo.push({
          what: `QueueRemove ${m.queue}`,
          step: () => addMember(pbx, { queue: m.queue, interface: m.interface, penalty: m.penalty, memberName: m.name, paused: m.paused, reason: m.pausedReason || undefined }),
        });
      }
      for (const a of adds) {
        const outcome = await addMember(pbx, { queue: a.queue, interface: a.interface, penalty: a.penalty, memberName: a.name, paused: a.paused, reason: a.reason });
        out.added.push(a);
        if (outcome !== 'added') continue;
        caused.push({ kind: 'added', queue: a.queue, interface: a.interface, subject: scope.subject, paused: a.paused });
        undo.push({ what: `QueueAdd ${a.queue}`, step: () => removeMember(pbx, { queue: a.queue, interface: a.interface }) });
      }
      if (plan.pause) {
        const p = plan.pause;
        out.pause = await pauseMember(pbx, { queue: p.queue, interface: p.interface, paused: p.paused, reason: p.reason });
        if (out.pause === 'done') {
          undo.push({
            what: `QueuePause ${p.queue ?? '(all queues)'}`,
            step: async () => {
              for (const m of p.was) await pauseMember(pbx, { queue: m.queue, interface: m.interface, paused: m.paused, reason: m.pausedReason || undefined });
            },
          });
        }
      }
      return out;
    },
    progress,
    onUndo(what, step) {
      undo.push({ what, step });
    },
    expect(changes) {
      caused.push(...changes);
    },
    async record(change) {
      if (!intentId && !change.put?.length && !change.remove?.length && !change.audit?.length) return;
      await recordChange(store, { ...change, ...(intentId ? { intentId } : {}) });
      intentId = undefined;
      recorded = true;
    },
  };

  let result: T;
  try {
    result = await work(tx);
  } catch (err) {
    // Once recorded the change stands: what failed after it was best effort.
    if (!recorded) await settleFailure(deps, scope, err, undo, intentId);
    else if (caused.length) deps.ownChanges?.(caused);
    throw err;
  }
  if (intentId) {
    // A verb that applied a plan and did not record it: the intent stays for the re-sync.
    log.error({ subject: scope.subject, intent: intentId }, 'member change applied but not recorded; the re-sync will settle it');
  }
  // Recorded, locks still held: the events these changes cause need no reconcile.
  if (caused.length) deps.ownChanges?.(caused);
  return result;
}

async function settleFailure(
  deps: ChangeDeps,
  scope: ChangeScope,
  err: unknown,
  undo: Array<{ what: string; step: () => Promise<unknown> }>,
  intentId: string | undefined,
): Promise<void> {
  const { store, log } = deps;
  let undone = 0;
  let undoneAll = true;
  if (scope.undo !== false) {
    // Newest first. What cannot be undone now stays described by the intent, for the re-sync.
    for (const { what, step } of undo.reverse()) {
      await step().then(() => undone++, (e: Error) => {
        undoneAll = false;
        log.error({ subject: scope.subject, step: what, err: e.message }, 'could not undo a step of a member change; the re-sync will settle it');
      });
    }
  }
  // A refusal leaves Asterisk as it was once undone; a timeout or a drop may
  // have been carried out anyway, so its intent stays for the re-sync to settle
  // against what Asterisk really has.
  const outage = err instanceof PbxUnavailableError || err instanceof StoreUnavailableError;
  if (intentId && scope.undo !== false && undoneAll && !outage) await dropIntent(store, intentId).catch(() => undefined);
  if (undo.length || intentId) {
    const left = scope.undo === false ? 'left as it is for the re-sync' : undoneAll ? 'undone' : 'partly undone; the re-sync will settle the rest';
    log.warn({ subject: scope.subject, err: (err as Error).message, steps: undo.length, undone }, `member change failed; ${left}`);
  }
}
