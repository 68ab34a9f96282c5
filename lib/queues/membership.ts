import { NotAuthorizedError, PbxUnavailableError, StoreUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { appendAudit, type AuditEntry } from '../store/audit.ts';
import { beginIntent, dropIntent } from '../store/intents.ts';
import { withLock } from '../store/lock.ts';
import type { Store } from '../store/redis.ts';
import type { OwnChange, OwnChangeHook } from '../sync/own-changes.ts';
import { authorize, type Authorization } from './allowlist.ts';
import { listMemberRecords, recordChange, type MemberRecord } from './member-store.ts';
import { localInterface } from './names.ts';
import { addMember, isDynamic, liveMembership, removeMember, type QueuePbx } from './pbx.ts';
import { takeToggleToken } from './rate-limit.ts';

export type MemberOp = 'login' | 'logout' | 'toggle';

/** Where a change comes from, for the audit trail and the logs. */
export interface Origin {
  source: 'fastagi' | 'cli' | 'api';
  /** The caller ID, or an admin's name. */
  by: string;
  channel?: string;
  uniqueid?: string;
}

export interface QueueDeps {
  pbx: QueuePbx;
  store: Store;
  log: Logger;
  limits: { toggleLimit: number; toggleWindowSec: number };
  /** Told, after each successful record and under the lock, of the member events the change caused (lib/sync/own-changes.ts). */
  ownChanges?: OwnChangeHook;
}

export interface ChangeRequest {
  op: MemberOp;
  number: string;
  queues: string[];
  context: string;
  origin: Origin;
  /** Count this change against the number's toggle budget (callers on the phone). */
  rateLimited?: boolean;
}

export type QueueState = 'in' | 'out' | 'static';

export interface ChangeResult {
  /** LOGGEDIN when the number is now a dynamic member of any queue asked for. */
  state: 'LOGGEDIN' | 'LOGGEDOUT' | 'STATIC';
  interface: string;
  queues: Array<{ queue: string; before: QueueState; after: QueueState }>;
}

/** What the request asks for, given what Asterisk has now. Pure: no I/O. */
export function planChange(op: MemberOp, before: Map<string, QueueState>): 'in' | 'out' {
  if (op === 'login') return 'in';
  if (op === 'logout') return 'out';
  // A toggle acts on all the queues named as one switch: in any of them
  // (dynamically) means the caller wants out, otherwise in.
  return [...before.values()].includes('in') ? 'out' : 'in';
}

/**
 * Logs a number in or out of queues as a dynamic member `Local/<n>@<context>/n`.
 * Order: decide from Asterisk's live state, change Asterisk, record in Redis.
 * Either every queue asked for changes or none does: a failure part-way undoes
 * what was done, and an intent left in Redis lets the re-sync finish the job if
 * this process dies in between.
 */
export async function changeMembership(deps: QueueDeps, req: ChangeRequest): Promise<ChangeResult> {
  const { pbx, store, log } = deps;
  const iface = localInterface(req.number, req.context);
  const audit = (queue: string, action: string, result: string, detail?: string): AuditEntry => ({
    action, subject: req.number, queue, result, source: req.origin.source, by: req.origin.by,
    channel: req.origin.channel, uniqueid: req.origin.uniqueid, detail,
  });

  if (req.rateLimited) await takeToggleToken(store, req.number, deps.limits.toggleLimit, deps.limits.toggleWindowSec);

  // The lock is on the interface, the thing being changed: an agent bound to this
  // phone and the number itself then queue behind one another.
  return withLock(store, `iface:${iface}`, async () => {
    const live = await liveMembership(pbx, iface, req.queues.length === 1 ? req.queues[0] : undefined);
    const before = new Map<string, QueueState>(req.queues.map((q) => {
      const m = live.get(q);
      return [q, m ? (isDynamic(m) ? 'in' : 'static') : 'out'];
    }));
    const want = planChange(req.op, before);
    const toAdd = want === 'in' ? req.queues.filter((q) => before.get(q) === 'out') : [];
    const toRemove = want === 'out' ? req.queues.filter((q) => before.get(q) === 'in') : [];

    const auth = new Map<string, Authorization>();
    for (const q of toAdd) {
      try {
        auth.set(q, await authorize(store, q, req.number));
      } catch (err) {
        if (err instanceof NotAuthorizedError) {
          await appendAudit(store, audit(q, 'login', 'REFUSED', err.code)).catch((e) => log.warn({ err: e.message }, 'audit of a refusal not written'));
        }
        throw err;
      }
    }

    const intentId = toAdd.length || toRemove.length
      ? await beginIntent(store, { subject: req.number, adds: toAdd.map((queue) => ({ queue, interface: iface })), removes: toRemove.map((queue) => ({ queue, interface: iface })) })
      : undefined;

    const after = new Map(before);
    const undo: Array<() => Promise<unknown>> = [];
    const put: MemberRecord[] = [];
    const caused: OwnChange[] = [];
    try {
      for (const queue of toAdd) {
        const a = auth.get(queue)!;
        if ((await addMember(pbx, { queue, interface: iface, penalty: a.penalty, memberName: a.name, paused: false })) === 'added') {
          caused.push({ kind: 'added', queue, interface: iface, subject: req.number, paused: false });
        }
        undo.push(() => removeMember(pbx, { queue, interface: iface }));
        after.set(queue, 'in');
        put.push({ queue, interface: iface, subject: req.number, kind: 'number', penalty: a.penalty, name: a.name, since: Date.now(), source: 'agentgate', paused: false, reason: '' });
      }
      for (const queue of toRemove) {
        const m = live.get(queue)!;
        const outcome = await removeMember(pbx, { queue, interface: iface });
        if (outcome === 'static') {
          after.set(queue, 'static');
          continue;
        }
        undo.push(() => addMember(pbx, { queue, interface: iface, penalty: m.penalty, memberName: m.name, paused: m.paused, reason: m.pausedReason || undefined }));
        after.set(queue, 'out');
        if (outcome === 'removed') caused.push({ kind: 'removed', queue, interface: iface, subject: req.number, paused: false });
      }
      if (intentId) {
        await recordChange(store, {
          put,
          remove: toRemove.filter((q) => after.get(q) === 'out').map((queue) => ({ queue, interface: iface })),
          intentId,
          audit: [
            ...toAdd.map((q) => audit(q, 'login', 'OK', `penalty=${auth.get(q)!.penalty}`)),
            ...toRemove.filter((q) => after.get(q) === 'out').map((q) => audit(q, 'logout', 'OK')),
          ],
        });
      }
    } catch (err) {
      // Put Asterisk back as it was, newest change first. What cannot be undone
      // now stays described by the intent, for the re-sync.
      let undoneAll = true;
      for (const step of undo.reverse()) {
        await step().catch((e: Error) => {
          undoneAll = false;
          log.error({ err: e.message, number: req.number }, 'could not undo a queue change; the re-sync will settle it');
        });
      }
      // A refusal (no such queue) leaves Asterisk as it was once undone; a
      // timeout or a drop may have happened anyway, so its intent stays for
      // the re-sync to settle against what Asterisk really has.
      if (intentId && undoneAll && !(err instanceof PbxUnavailableError) && !(err instanceof StoreUnavailableError)) {
        await dropIntent(store, intentId).catch(() => undefined);
      }
      log.warn({ number: req.number, op: req.op, err: (err as Error).message, undone: undo.length, undoneAll }, 'queue change failed; undone');
      throw err;
    }

    // Recorded, lock still held: the events these changes caused need no reconcile.
    deps.ownChanges?.(caused);
    const queues = req.queues.map((queue) => ({ queue, before: before.get(queue)!, after: after.get(queue)! }));
    return { state: summarize([...after.values()]), interface: iface, queues };
  });
}

/** One word for the dialplan: dynamic in any queue wins; STATIC only when nothing else applies. */
export function summarize(states: QueueState[]): 'LOGGEDIN' | 'LOGGEDOUT' | 'STATIC' {
  if (states.includes('in')) return 'LOGGEDIN';
  if (states.length > 0 && states.every((s) => s === 'static')) return 'STATIC';
  return 'LOGGEDOUT';
}

/**
 * Logs a number out of every queue Asterisk has it in dynamically, and drops
 * any Redis record of it that Asterisk no longer backs.
 */
export async function logoutEverywhere(deps: QueueDeps, number: string, context: string, origin: Origin): Promise<ChangeResult> {
  const iface = localInterface(number, context);
  const live = await liveMembership(deps.pbx, iface);
  const recorded = (await listMemberRecords(deps.store)).filter((m) => m.interface === iface);
  const queues = [...new Set([...[...live.values()].filter(isDynamic).map((m) => m.queue), ...recorded.map((m) => m.queue)])].sort();
  const res = await changeMembership(deps, { op: 'logout', number, queues, context, origin });
  const stale = recorded.filter((m) => !live.has(m.queue));
  if (stale.length) {
    await recordChange(deps.store, {
      remove: stale.map((m) => ({ queue: m.queue, interface: iface })),
      audit: stale.map((m) => ({ action: 'logout', subject: number, queue: m.queue, result: 'OK', source: origin.source, by: origin.by, detail: 'record without an Asterisk member dropped' })),
    });
  }
  return res;
}
