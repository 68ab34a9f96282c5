// A number (often a mobile) logging itself in or out of queues as a dynamic
// member `Local/<n>@<context>/n`: check (rate limit, Asterisk's live state,
// the allowlist), plan (pure), apply through the one member transaction
// (lib/members/change.ts). Either every queue asked for changes or none does.
import { NotAuthorizedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { QueueMember } from '../ami/client.ts';
import { knownInterfaces, localInterface } from '../asterisk/interfaces.ts';
import { isDynamic, memberState, type QueueState } from '../asterisk/member.ts';
import { liveMembership } from '../asterisk/pbx.ts';
import { intentOf, withMemberChange, type ChangeDeps } from '../members/change.ts';
import { recordChange, recordsAt, type MemberRecord } from '../members/records.ts';
import { appendAudit, auditBy, type Origin } from '../store/audit.ts';
import type { RawEntry } from '../store/lock.ts';
import { queueName, validQueue } from '../validate.ts';
import { authorizationOf, type Authorization } from './allowlist.ts';
import { pauseInterface } from './pause.ts';

export type MemberOp = 'login' | 'logout' | 'toggle';

export interface QueueDeps extends ChangeDeps {
  limits: { toggleLimit: number; toggleWindowSec: number };
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

/** The queues to join and to leave, from what Asterisk has. Pure. */
export function decide(op: MemberOp, queues: readonly string[], live: ReadonlyMap<string, QueueMember>) {
  const before = new Map(queues.map((q) => [q, memberState(live.get(q))]));
  const want = planChange(op, before);
  const toAdd = want === 'in' ? queues.filter((q) => before.get(q) === 'out') : [];
  const toRemove = want === 'out' ? queues.filter((q) => before.get(q) === 'in') : [];
  return { before, toAdd, toRemove };
}

/**
 * Logs a number in or out of queues. Order: decide from Asterisk's live state
 * (the live model while it is trusted), change Asterisk, record in Redis; a
 * failure part-way is undone. Its start (locks, rate limit, allowlist,
 * intent) and its end (record, unlock) are one Redis round trip each.
 */
export async function changeMembership(deps: QueueDeps, req: ChangeRequest): Promise<ChangeResult> {
  const iface = localInterface(req.number, req.context, deps.members);
  // A member added before confirm on answer was turned on (or off) is the same number.
  const ifaces = knownInterfaces(req.number, req.context, deps.members);
  const queues = [...new Set(req.queues.map(validQueue))];
  const only = queues.length === 1 ? queues[0] : undefined;
  const planOf = (live: ReadonlyMap<string, QueueMember>) => {
    const d = decide(req.op, queues, live);
    return { ...d, remove: d.toRemove.map((q) => live.get(q)!) };
  };

  const { result, pausedAtLogin } = await withMemberChange(deps, {
    subject: req.number,
    interfaces: ifaces,
    start: {
      ...(req.rateLimited ? { rate: { number: req.number, limit: deps.limits.toggleLimit, windowSec: deps.limits.toggleWindowSec } } : {}),
      allow: { number: req.number, queues },
      draft: (live) => {
        const p = planOf(live);
        return intentOf(req.number, { remove: p.remove, add: p.toAdd.map((queue) => ({ queue, interface: iface })) });
      },
    },
  }, async (tx) => {
    let live = await tx.live(only);
    let plan = planOf(live);
    // From the live model, only a queue the plan sends an action to is checked
    // by Asterisk's answer ('Already there', 'Not there'): a queue it leaves
    // alone (a logout of a queue the model shows out, the other queues of a
    // toggle out) is read from Asterisk, or a member the model missed stays.
    if (tx.fromModel && plan.toAdd.length + plan.toRemove.length < queues.length) {
      live = await tx.live(only, true);
      plan = planOf(live);
    }
    const { before, toAdd, remove } = plan;
    /** Queues the number was already in, paused, when it asked to log in. */
    const pausedAtLogin = req.op === 'login' ? queues.filter((q) => before.get(q) === 'in' && live.get(q)!.paused) : [];
    const auth = await authorizeAll(deps, req, toAdd, tx.entries);

    // An allowlist entry with confirm off rings the number straight through its context.
    const ifaceFor = (a: Authorization) => (a.confirm === false ? localInterface(req.number, req.context) : iface);
    const applied = await tx.apply({
      remove,
      add: toAdd.map((queue) => {
        const a = auth.get(queue)!;
        return { queue, interface: ifaceFor(a), penalty: a.penalty, name: a.name, paused: false, ...(a.wrapup ? { wrapuptime: a.wrapup } : {}) };
      }),
    });
    const after = new Map(before);
    for (const a of applied.added) after.set(a.queue, 'in');
    const out = [...applied.removed, ...applied.absent].map((m) => queueName(m.queue));
    for (const q of out) after.set(q, 'out');
    for (const m of applied.static) after.set(queueName(m.queue), 'static');
    const now = Date.now();
    await tx.record({
      put: applied.added.map((a): MemberRecord => ({ queue: a.queue, interface: a.interface, subject: req.number, kind: 'number', penalty: a.penalty, name: a.name, since: now, source: 'agentgate', paused: false, reason: '' })),
      remove: [...out.map((queue) => ({ queue, interface: iface })), ...[...applied.removed, ...applied.absent].filter((m) => m.interface !== iface).map((m) => ({ queue: queueName(m.queue), interface: m.interface }))],
      audit: [
        ...toAdd.map((queue) => auditBy(req.origin, req.number, 'login', 'OK', { queue, detail: `penalty=${auth.get(queue)!.penalty}`, kind: 'number' })),
        ...out.map((queue) => auditBy(req.origin, req.number, 'logout', 'OK', { queue, kind: 'number' })),
      ],
    });
    const result: ChangeResult = { state: summarize([...after.values()]), interface: iface, queues: queues.map((queue) => ({ queue, before: before.get(queue)!, after: after.get(queue)! })) };
    return { result, pausedAtLogin };
  });
  // Logging in again means ready for calls: a pause (an auto-pause after
  // unanswered rings, a break) is lifted, each queue as its own change.
  for (const queue of pausedAtLogin) {
    await pauseInterface(deps, { number: req.number, interfaces: ifaces, mode: 'unpause', queue, origin: req.origin });
  }
  return result;
}

/** Every queue to join must let the number in (from the entries the start read); a refusal is audited and nothing is changed. */
async function authorizeAll(deps: QueueDeps, req: ChangeRequest, queues: string[], entries: ReadonlyMap<string, RawEntry>): Promise<Map<string, Authorization>> {
  const auth = new Map<string, Authorization>();
  for (const queue of queues) {
    try {
      auth.set(queue, authorizationOf(queue, req.number, entries.get(queue) ?? ''));
    } catch (err) {
      if (err instanceof NotAuthorizedError) {
        await appendAudit(deps.store, auditBy(req.origin, req.number, 'login', 'REFUSED', { queue, detail: err.code }))
          .catch((e: Error) => deps.log.warn({ err: e.message }, 'audit of a refusal not written'));
      }
      throw err;
    }
  }
  return auth;
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
  const iface = localInterface(number, context, deps.members);
  const live = await liveMembership(deps.pbx, iface);
  for (const other of knownInterfaces(number, context, deps.members).slice(1)) for (const [q, m] of await liveMembership(deps.pbx, other)) if (!live.has(q)) live.set(q, m);
  const recorded = await recordsAt(deps.store, [iface]);
  const queues = [...new Set([...[...live.values()].filter(isDynamic).map((m) => m.queue), ...recorded.map((m) => m.queue)])].sort();
  const res = await changeMembership(deps, { op: 'logout', number, queues, context, origin });
  const stale = recorded.filter((m) => !live.has(m.queue));
  if (stale.length) {
    await recordChange(deps.store, {
      remove: stale.map((m) => ({ queue: m.queue, interface: iface })),
      audit: stale.map((m) => auditBy(origin, number, 'logout', 'OK', { queue: m.queue, detail: 'record without an Asterisk member dropped' })),
    });
  }
  return res;
}
