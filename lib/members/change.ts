// The one transaction behind every change agentgate makes to Asterisk's queue
// members (a number logging itself in or out, an agent's login, logout, pause
// and forced logout). Each verb checks, plans, and hands its plan to
// withMemberChange, which owns the hard part:
//   - the `iface:` locks of the interfaces touched, taken together;
//   - an intent in Redis before Asterisk is touched, so a process that dies
//     part-way leaves a description the re-sync settles against Asterisk;
//   - for a number's own change, the fast path: decided from the live model
//     (no QueueStatus), its locks, rate limit, allowlist and intent in one
//     round trip, its record and unlock in another; Asterisk's answer to the
//     change is the check, and a model found behind sends the change once more
//     the slow way (QueueStatus under the locks);
//   - the AMI changes, removals first (the old phone stops ringing before the
//     new one starts), each with its undo and the member event it will cause;
//   - the record in Redis, closing the intent in the same MULTI;
//   - on any failure, the undo in reverse (Redis steps the verb registered
//     too), the intent dropped only when Asterisk is known to be as it was;
//   - once recorded, the caused events told to the sync, still under the locks.
import type { QueueMember } from '../ami/client.ts';
import { PbxUnavailableError, StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { memberAddOptions, sameInterface } from '../asterisk/interfaces.ts';
import type { MemberStyle } from '../config.ts';
import { addMember, liveMembership, pauseMember, removeMember, setRingInUse, type MemberMirror, type PauseOutcome, type QueuePbx } from '../asterisk/pbx.ts';
import { bindingMoves, dropIntent, intentExists, newIntentId, writeIntent, type Intent, type IntentBinding } from '../store/intents.ts';
import { interfaceLock, keepLocks, releaseLocks, startLocked, withInterfaceLocks, type HeldLocks, type RawEntry, type StartExtras } from '../store/lock.ts';
import { retryLater, storeReady, type Store } from '../store/redis.ts';
import { queueName } from '../validate.ts';
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

/** Told, in this process, when a change starts on some interfaces and what member events it caused (lib/sync/own-changes.ts). */
export interface OwnChangeHook {
  /** Before anything is touched; call what it returns once the change has ended, with its events ([] when it failed). */
  starting(interfaces: readonly string[]): (caused: readonly OwnChange[]) => void;
}

export interface ChangeDeps {
  pbx: QueuePbx;
  store: Store;
  log: Logger;
  ownChanges?: OwnChangeHook;
  /** How members are added (state interface, ring-in-use); none: plain QueueAdd. */
  members?: MemberStyle;
  /** The live model: a change with `start` decides from it while it is trusted. */
  mirror?: MemberMirror;
}

export interface MemberAdd {
  queue: string;
  interface: string;
  penalty: number;
  name: string;
  paused: boolean;
  reason?: string;
  /** Whose device state is the member's (a desk's hint); default from the interface and `members`. */
  stateInterface?: string;
  /** false: not rung while on a queue call (QueueMemberRingInUse after the add); default from the interface and `members`. */
  ringInUse?: boolean;
  /** Seconds of wrap-up after each call; absent: the queue's. */
  wrapuptime?: number;
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
  /** The agent's binding the verb moves after apply (its own step): written into the intent, for a rollback after a crash. */
  binding?: IntentBinding;
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
  /**
   * Asterisk's members of the scope's interfaces, by queue name (lower case):
   * from the live model on a change's first attempt when it is trusted, else
   * (or with `asterisk`) one QueueStatus (of `onlyQueue` alone when given).
   * The model is only as good as Asterisk's answers to the plan check it: a
   * verb asks again with `asterisk` where its plan leaves a queue unchecked.
   */
  live(onlyQueue?: string, asterisk?: boolean): Promise<Map<string, QueueMember>>;
  /** The last live() came from the live model. */
  readonly fromModel: boolean;
  /** The allowlist entries the start read (scope.start.allow), by queue. */
  readonly entries: ReadonlyMap<string, RawEntry>;
  /** Writes the intent, then carries the plan out in Asterisk. Once per change. */
  apply(plan: MemberPlan): Promise<Applied>;
  /** What apply has done so far: all of it once apply returned, part of it if apply failed. */
  readonly progress: Applied;
  /** A step the verb took (a binding) that must be reversed if what follows fails. */
  onUndo(what: string, step: () => Promise<unknown>): void;
  /**
   * A step whose reply may be lost after it was carried out (a Redis script):
   * its undo is registered before it runs, and dropped only when its result
   * says it changed nothing.
   */
  uncertain<R>(what: string, act: () => Promise<R>, undo: () => Promise<unknown>, changedNothing?: (r: R) => boolean): Promise<R>;
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
  /**
   * The fast path (a number's own change): done in the round trip that takes
   * the locks, which are then released by the record's MULTI. `draft` is the
   * plan as the live model shows it before the locks: its intent is written
   * with them, and apply writes none when the plan is still the same.
   */
  start?: Omit<StartExtras, 'intent'> & { draft?: (live: Map<string, QueueMember>) => IntentDraft };
}

/** What an intent says, without its id and time. */
export type IntentDraft = Omit<Intent, 'id' | 'at'>;

/** Thrown inside apply when Asterisk's answer shows the live model was behind: the change runs once more from QueueStatus. */
class ModelBehind extends Error {}

export async function withMemberChange<T>(deps: ChangeDeps, scope: ChangeScope, work: (tx: MemberTx) => Promise<T>): Promise<T> {
  const finish = deps.ownChanges?.starting(scope.interfaces);
  const caused: OwnChange[] = [];
  try {
    if (!scope.start) return await withInterfaceLocks(deps.store, scope.interfaces, () => runChange(deps, scope, work, caused));
    return await runFast(deps, scope, scope.start, work, caused);
  } finally {
    finish?.(caused);
  }
}

/** The fast path: see ChangeScope.start. */
async function runFast<T>(deps: ChangeDeps, scope: ChangeScope, start: NonNullable<ChangeScope['start']>, work: (tx: MemberTx) => Promise<T>, caused: OwnChange[]): Promise<T> {
  const seen = deps.mirror?.liveMembers(scope.interfaces);
  const draft = seen && start.draft ? start.draft(byQueue(scope.interfaces, seen)) : undefined;
  const id = newIntentId();
  const intentJson = draft && hasWork(draft) ? intentText(id, draft) : undefined;
  const started = await startLocked(deps.store, scope.interfaces.map(interfaceLock), {
    ...(start.rate ? { rate: start.rate } : {}),
    ...(start.allow ? { allow: start.allow } : {}),
    ...(intentJson ? { intent: { id, json: intentJson, adds: new Set(draft!.adds.map((a) => queueName(a.queue))) } } : {}),
  });
  const fast: FastState = { held: started.held, released: false, entries: started.entries, intent: started.intentWritten ? { id, draft: JSON.stringify(draft) } : undefined };
  const stopKeeping = keepLocks(deps.store, started.held);
  try {
    return await runChange(deps, scope, work, caused, fast);
  } finally {
    stopKeeping();
    if (!fast.released) await releaseLocks(deps.store, fast.held);
  }
}

interface FastState {
  held: HeldLocks;
  /** Set once the record's script released the locks. */
  released: boolean;
  entries: Map<string, RawEntry>;
  /** The intent the start wrote: its id and its draft as JSON. */
  intent: { id: string; draft: string } | undefined;
}

function hasWork(d: IntentDraft): boolean {
  return d.adds.length > 0 || d.removes.length > 0 || (d.pauses?.length ?? 0) > 0 || bindingMoves(d.binding);
}

function intentText(id: string, d: IntentDraft): string {
  return JSON.stringify({ ...d, id, at: Date.now() } satisfies Intent);
}

/** The intent of a plan: what a rollback needs to put Asterisk back (of an add, only where). */
export function intentOf(subject: string, plan: { remove?: readonly QueueMember[]; add?: ReadonlyArray<Pick<MemberAdd, 'queue' | 'interface'>>; pause?: PauseStep; binding?: IntentBinding }): IntentDraft {
  const removes = plan.remove ?? [];
  const adds = plan.add ?? [];
  return {
    subject,
    adds: adds.map((a) => ({ queue: a.queue, interface: a.interface })),
    removes: removes.map((m) => ({ queue: m.queue, interface: m.interface, member: { penalty: m.penalty, name: m.name, paused: m.paused, reason: m.pausedReason } })),
    ...(plan.pause ? { pauses: plan.pause.was.map((m) => ({ queue: m.queue, interface: m.interface, paused: m.paused, reason: m.pausedReason })) } : {}),
    ...(bindingMoves(plan.binding) ? { binding: plan.binding } : {}),
  };
}

async function runChange<T>(deps: ChangeDeps, scope: ChangeScope, work: (tx: MemberTx) => Promise<T>, caused: OwnChange[], fast?: FastState): Promise<T> {
  try {
    return await attempt(deps, scope, work, caused, fast, fast !== undefined);
  } catch (err) {
    if (!(err instanceof ModelBehind)) throw err;
    // The first attempt is undone and its intent dropped: this one writes its own.
    deps.log.info({ subject: scope.subject }, 'the live model was behind Asterisk; deciding again from QueueStatus');
    return attempt(deps, scope, work, caused, fast, false);
  }
}

async function attempt<T>(deps: ChangeDeps, scope: ChangeScope, work: (tx: MemberTx) => Promise<T>, caused: OwnChange[], fast: FastState | undefined, useModel: boolean): Promise<T> {
  const { pbx, store, log } = deps;
  const undo: UndoStep[] = [];
  caused.length = 0;
  /** The intent of this attempt, once written (the start's, on a first attempt). */
  let intentId = useModel ? fast?.intent?.id : undefined;
  /** Decided from the live model: an answer that contradicts it is a ModelBehind. */
  let fromModel = false;
  let applied = false;
  let recorded = false;
  /** A record whose reply was lost and whose fate Redis could not tell in time. */
  let unknown: RecordedChange | undefined;
  const progress: Applied = { added: [], removed: [], absent: [], static: [], pause: undefined };

  // An AMI action whose reply is lost may have been carried out: its undo is
  // registered before it is sent, and taken back only when Asterisk's answer
  // says it changed nothing.
  const uncertain = async <R>(step: UndoStep, act: () => Promise<R>, changedNothing: (r: R) => boolean): Promise<R> => {
    undo.push(step);
    const r = await act();
    if (changedNothing(r)) undo.splice(undo.indexOf(step), 1);
    return r;
  };

  const tx: MemberTx = {
    async live(onlyQueue, asterisk = false) {
      const seen = useModel && !asterisk ? deps.mirror?.liveMembers(scope.interfaces) : undefined;
      if (seen) {
        fromModel = true;
        return byQueue(scope.interfaces, seen.filter((m) => onlyQueue === undefined || queueName(m.queue) === queueName(onlyQueue)));
      }
      fromModel = false;
      const all: QueueMember[] = [];
      for (const iface of scope.interfaces) all.push(...(await liveMembership(pbx, iface, onlyQueue)).values());
      return byQueue(scope.interfaces, all);
    },
    get fromModel() {
      return fromModel;
    },
    entries: fast?.entries ?? new Map(),
    async apply(plan) {
      if (applied) throw new Error('a member change applies one plan');
      applied = true;
      const removes = plan.remove ?? [];
      const adds = plan.add ?? [];
      const pause = plan.pause;
      const draft = intentOf(scope.subject, plan);
      // The start wrote this very intent: nothing to write. Otherwise it is
      // written (over the start's, same id) before Asterisk is touched.
      if (hasWork(draft) && !(intentId !== undefined && intentId === fast?.intent?.id && fast.intent.draft === JSON.stringify(draft))) {
        intentId ??= newIntentId();
        await writeIntent(store, intentId, intentText(intentId, draft));
      }
      const out = progress;
      for (const m of removes) {
        const outcome = await uncertain(
          {
            what: `QueueRemove ${m.queue}`,
            step: () => addMember(pbx, { queue: m.queue, interface: m.interface, penalty: m.penalty, memberName: m.name, paused: m.paused, reason: m.pausedReason || undefined, ...(m.stateInterface && !sameInterface(m.stateInterface, m.interface) ? { stateInterface: m.stateInterface } : {}), ...(m.wrapuptime ? { wrapuptime: m.wrapuptime } : {}) }),
          },
          () => removeMember(pbx, { queue: m.queue, interface: m.interface }),
          (o) => o !== 'removed',
        );
        if (outcome === 'absent' && fromModel) throw new ModelBehind();
        if (outcome === 'static') out.static.push(m);
        else if (outcome === 'absent') out.absent.push(m);
        else {
          out.removed.push(m);
          caused.push({ kind: 'removed', queue: m.queue, interface: m.interface, subject: scope.subject, paused: false });
        }
      }
      for (const a of adds) {
        const opts = { ...memberAddOptions(a.interface, deps.members), ...(a.stateInterface !== undefined ? { stateInterface: a.stateInterface } : {}), ...(a.ringInUse !== undefined ? { ringInUse: a.ringInUse } : {}) };
        const undoAdd: UndoStep = { what: `QueueAdd ${a.queue}`, step: () => removeMember(pbx, { queue: a.queue, interface: a.interface }) };
        // Both actions go out together: Asterisk runs one session's actions in
        // order, so the ring-in-use finds the member just added. The add's undo
        // (the member removed) takes it back too: it needs none of its own.
        const adding = uncertain(
          undoAdd,
          () => addMember(pbx, { queue: a.queue, interface: a.interface, penalty: a.penalty, memberName: a.name, paused: a.paused, reason: a.reason, stateInterface: opts.stateInterface, ...(a.wrapuptime ? { wrapuptime: a.wrapuptime } : {}) }),
          (o) => o !== 'added',
        );
        // Asked for in the same tick, after the add (uncertain sends it at once).
        const ringInUse = opts.ringInUse === false ? setRingInUse(pbx, { queue: a.queue, interface: a.interface, ringInUse: false }) : undefined;
        const outcome = await adding.catch(async (err: unknown) => {
          await ringInUse?.catch(() => undefined);
          throw err;
        });
        if (outcome === 'already' && fromModel) {
          await ringInUse?.catch(() => undefined);
          throw new ModelBehind();
        }
        // 'absent': someone removed the member the moment it was added; nothing to set.
        await ringInUse;
        out.added.push(a);
        if (outcome === 'added') caused.push({ kind: 'added', queue: a.queue, interface: a.interface, subject: scope.subject, paused: a.paused });
      }
      if (pause) {
        out.pause = await uncertain(
          {
            what: `QueuePause ${pause.queue ?? '(all queues)'}`,
            step: async () => {
              for (const m of pause.was) await pauseMember(pbx, { queue: m.queue, interface: m.interface, paused: m.paused, reason: m.pausedReason || undefined });
            },
          },
          () => pauseMember(pbx, { queue: pause.queue, interface: pause.interface, paused: pause.paused, reason: pause.reason }),
          (o) => o !== 'done',
        );
      }
      return out;
    },
    progress,
    onUndo(what, step) {
      undo.push({ what, step });
    },
    uncertain(what, act, step, changedNothing = () => false) {
      return uncertain({ what, step }, act, changedNothing);
    },
    expect(changes) {
      caused.push(...changes);
    },
    async record(change) {
      if (!intentId && !change.put?.length && !change.remove?.length && !change.audit?.length && !fast) return;
      try {
        // A member this change added starts counting unanswered rings afresh (lib/sync/auto-pause.ts).
        const fresh = caused.filter((c) => c.kind === 'added').map((c) => ({ queue: c.queue, interface: c.interface }));
        await recordChange(store, {
          ...change,
          ...(intentId ? { intentId: intentId } : {}),
          ...(fresh.length ? { resetNoAnswer: fresh } : {}),
          ...(fast ? { release: fast.held } : {}),
        });
        if (fast) fast.released = true;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError) || !intentId) throw err;
        // The MULTI may have been carried out and only its reply lost. Only it
        // deletes the intent while these locks are held: Redis, once back, tells.
        const written = await intentGone(store, intentId, RESOLVE_MS);
        if (written === false) throw err;
        if (written === undefined) {
          unknown = change;
          throw err;
        }
        log.warn({ subject: scope.subject, intent: intentId, err: err.message }, 'the reply of a record was lost; Redis shows it written');
      }
      intentId = undefined;
      recorded = true;
    },
  };

  let result: T;
  try {
    result = await work(tx);
  } catch (err) {
    // Once recorded the change stands: what failed after it was best effort.
    if (err instanceof ModelBehind && !recorded) {
      // Nothing told to anyone yet: what this attempt did is undone, and the
      // change decided again. An undo that fails makes it a failure.
      const failed = await undoAll(deps, scope, undo);
      if (failed.length === 0) {
        caused.length = 0;
        // The intent was drawn from the model found behind: a rollback by it
        // could put back a member that was gone before. The next attempt
        // writes its own.
        if (intentId) {
          const id = intentId;
          intentId = undefined;
          await dropIntent(store, id).catch((e: StoreUnavailableError) => {
            // Its id is this change's alone: dropped whenever Redis answers.
            retryLater(() => dropIntent(store, id), { firstMs: 200, everyMs: 1000, forMs: SETTLE_FOR_MS });
            throw e;
          });
        }
        throw err;
      }
      settleLater(deps, scope, undefined, failed);
      throw new PbxUnavailableError('Asterisk did not take back a step of a change decided from a model found behind');
    }
    if (!recorded) {
      caused.length = 0;
      const left = await settleFailure(deps, scope, err, undo, intentId);
      // What could not be undone now, and a record Redis may hold all the same,
      // are taken back once Redis and Asterisk answer again.
      if (left.length || (unknown && intentId)) settleLater(deps, scope, unknown && intentId ? { intentId: intentId, change: unknown } : undefined, left);
    }
    throw err;
  }
  if (intentId) {
    // A verb that applied a plan and did not record it: the intent stays for the re-sync.
    log.error({ subject: scope.subject, intent: intentId }, 'member change applied but not recorded; the re-sync will settle it');
  }
  // Recorded: the events in `caused` need no reconcile (told by withMemberChange).
  return result;
}

function byQueue(interfaces: readonly string[], members: QueueMember[]): Map<string, QueueMember> {
  // The first interface (the current form) wins where a number is a member under two.
  const rank = (m: QueueMember) => interfaces.findIndex((i) => sameInterface(i, m.interface));
  const out = new Map<string, QueueMember>();
  for (const m of [...members].sort((a, b) => rank(a) - rank(b))) if (!out.has(queueName(m.queue))) out.set(queueName(m.queue), m);
  return out;
}

/** Undoes in reverse; returns the steps that failed. */
async function undoAll(deps: ChangeDeps, scope: ChangeScope, undo: UndoStep[]): Promise<UndoStep[]> {
  const failed: UndoStep[] = [];
  for (const u of [...undo].reverse()) {
    await u.step().catch((e: Error) => {
      failed.push(u);
      deps.log.error({ subject: scope.subject, step: u.what, err: e.message }, 'could not undo a step of a member change; the re-sync will settle it');
    });
  }
  return failed;
}

interface UndoStep {
  what: string;
  step: () => Promise<unknown>;
}

/** How long a change waits for Redis to tell whether a record whose reply was lost was written. */
const RESOLVE_MS = 2000;

/** true: the intent is gone (the record was written); false: it is there; undefined: Redis did not say within `ms`. */
async function intentGone(store: Store, id: string, ms: number): Promise<boolean | undefined> {
  try {
    await storeReady(store, ms);
    return !(await intentExists(store, id));
  } catch {
    return undefined;
  }
}

/** Undoes in reverse; returns the steps that failed. */
async function settleFailure(deps: ChangeDeps, scope: ChangeScope, err: unknown, undo: UndoStep[], intentId: string | undefined): Promise<UndoStep[]> {
  const { store, log } = deps;
  const failed: UndoStep[] = [];
  // A dropped Redis connection comes back within a moment: undo against it then.
  if (err instanceof StoreUnavailableError) await storeReady(store, RESOLVE_MS).catch(() => undefined);
  // Newest first. What cannot be undone now stays described by the intent, for the re-sync.
  if (scope.undo !== false) failed.push(...(await undoAll(deps, scope, undo)));
  // A refusal leaves Asterisk as it was once undone. After a timeout or a drop
  // a step may have been carried out unseen: the intent stays and the re-sync
  // rolls it back against what Asterisk really has.
  const outage = err instanceof PbxUnavailableError || err instanceof StoreUnavailableError;
  if (intentId && scope.undo !== false && failed.length === 0 && !outage) await dropIntent(store, intentId).catch(() => undefined);
  if (undo.length || intentId) {
    const left = scope.undo === false ? 'left as it is for the re-sync' : failed.length === 0 ? 'undone' : 'partly undone; the re-sync will settle the rest';
    log.warn({ subject: scope.subject, err: (err as Error).message, steps: undo.length, undone: undo.length - failed.length }, `member change failed; ${left}`);
  }
  return failed;
}

/** Tries for this long to settle a change whose record's fate Redis could not tell. */
const SETTLE_FOR_MS = 5 * 60_000;

/**
 * The caller was told ERROR, yet some of the change could not be taken back
 * now (Redis or Asterisk away), or Redis may hold its record (the reply was
 * lost). Once they answer, under the same locks, the steps left are done and
 * a record Redis holds is taken back, so what stays is what the caller was
 * told. If this process dies first, the intent is rolled back by the re-sync
 * (Asterisk and the binding it names); a written record would then stand: a
 * double fault, logged here.
 */
function settleLater(deps: ChangeDeps, scope: ChangeScope, record: { intentId: string; change: RecordedChange } | undefined, left: UndoStep[]): void {
  const { store, log } = deps;
  log.warn({ subject: scope.subject, steps: left.map((u) => u.what), recordUnknown: record !== undefined }, 'part of a failed change could not be taken back now; it will be once Redis and Asterisk answer');
  const attempt = async (): Promise<void> => {
    await withInterfaceLocks(store, scope.interfaces, async () => {
      for (const u of [...left].reverse()) {
        await u.step();
        left.splice(left.indexOf(u), 1);
      }
      if (!record) return;
      if (await intentExists(store, record.intentId)) {
        await dropIntent(store, record.intentId);
        return;
      }
      await recordChange(store, {
        remove: (record.change.put ?? []).map((m) => ({ queue: m.queue, interface: m.interface })),
        audit: [{ action: 'rollback', subject: scope.subject, result: 'OK', source: 'resync', by: 'lost-reply', detail: 'a change whose caller was told ERROR, taken back after its record reply was lost' }],
      });
    });
    log.warn({ subject: scope.subject }, 'a change told as failed is now fully taken back');
  };
  retryLater(attempt, {
    firstMs: 200, everyMs: 1000, forMs: SETTLE_FOR_MS,
    gaveUp: (err) => log.error({ subject: scope.subject, err: err.message }, 'a change told as failed could not be fully taken back; check it'),
  });
}
