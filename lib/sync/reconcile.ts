// Settles some interfaces: under their `iface:` locks (the same ones a change
// holds from its intent to its record, so an in-progress change is never seen
// half done), reads Asterisk again, rolls back the intents left on them (and
// the agent bindings they moved), plans with plan.ts and carries the plan out:
// restores over AMI, then every record and audit entry in one MULTI. Used for
// one interface per live event, and by the re-sync for every interface that
// needs work.
import { getAgentBinding, getPhoneAgent, restoreBinding } from '../agents/bindings.ts';
import { PbxUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type MemberRecord, recordChange, recordsAt } from '../members/records.ts';
import { addMember, pauseMember, readLive, removeMember, setRingInUse, type HintPbx, type Pbx } from '../asterisk/pbx.ts';
import type { MemberStyle } from '../config.ts';
import type { AuditEntry } from '../store/audit.ts';
import { intentInterfaces, listIntents } from '../store/intents.ts';
import { withInterfaceLocks } from '../store/lock.ts';
import type { Store } from '../store/redis.ts';
import type { Lamps, LampTarget } from './blf.ts';
import { externalIdentity, memberAddOptions, memberKey, sameInterface } from '../asterisk/interfaces.ts';
import { planIntentRollback } from './intent-repair.ts';
import { planSync, type MissingPolicy, type SyncMode } from './plan.ts';

export interface SyncDeps {
  pbx: Pbx & HintPbx;
  store: Store;
  log: Logger;
  policy: MissingPolicy;
  /** Absent when BLF_SCHEME=off. */
  lamps?: Lamps;
  /** How members are added (state interface, ring-in-use): a restored member is added the same way. */
  members?: MemberStyle;
}

export interface ReconcileRequest {
  /** Settled together, each under its lock (an intent can name several). */
  interfaces: string[];
  /** Only these queues (a live event's); every queue when absent. Intents are repaired whatever the scope. */
  queues?: string[];
  mode: SyncMode;
  /** The audit trail's `by`: what started this (ami-event, asterisk-restart, ...). */
  by: string;
  /** Set the lamps of what was looked at; a re-sync rebuilds them all at its end instead. */
  lamps: boolean;
}

export interface ReconcileResult {
  restored: MemberRecord[];
  adopted: number;
  updated: number;
  dropped: MemberRecord[];
  /** Records left alone because Asterisk does not report their queue. */
  waiting: number;
  intentsRepaired: number;
}

/** Every `iface:` lock of the request, in the one lock order (lib/store/lock.ts). */
export function reconcile(deps: SyncDeps, req: ReconcileRequest): Promise<ReconcileResult> {
  return withInterfaceLocks(deps.store, req.interfaces, () => settle(deps, req));
}

async function settle(deps: SyncDeps, req: ReconcileRequest): Promise<ReconcileResult> {
  const { pbx, store, log } = deps;
  const now = Date.now();
  let live = await readLive(pbx, req.interfaces);
  const before = await recordsAt(store, req.interfaces);
  let records = before;

  const mine = new Set(req.interfaces.map((i) => i.toLowerCase()));
  let intentsRepaired = 0;
  for (const intent of await listIntents(store)) {
    const touched = intentInterfaces(intent).map((i) => i.toLowerCase());
    // Only intents whose every interface is locked here; the re-sync groups the rest.
    if (!touched.length || !touched.every((i) => mine.has(i))) continue;
    const b = intent.binding;
    const bindingNow = b ? await getAgentBinding(store, b.agentId) : null;
    const wasHolder = b?.was ? await getPhoneAgent(store, b.was.phone) : null;
    const rollback = planIntentRollback(intent, live.members, records, live.known, bindingNow, wasHolder !== null && wasHolder !== b!.agentId);
    if (rollback === 'wait') {
      log.info({ intent: intent.id, subject: intent.subject }, 'unfinished change kept: Asterisk does not report its queues yet');
      continue;
    }
    // Asterisk first: a failure here keeps the intent for the next re-sync.
    for (const m of rollback.remove) await removeMember(pbx, m);
    for (const m of rollback.add) {
      await addMember(pbx, { queue: m.queue, interface: m.interface, penalty: m.penalty, memberName: m.name || undefined, paused: m.paused, reason: m.reason || undefined });
    }
    for (const m of rollback.pause) await pauseMember(pbx, { queue: m.queue, interface: m.interface, paused: m.paused, reason: m.reason || undefined });
    const rb = rollback.rebind;
    let binding: string | undefined;
    if (rb) {
      const done = await restoreBinding(store, rb.agentId, rb.was, rb.from);
      binding = done === 'bound' ? `back at ${rb.was!.phone}` : done === 'unbound' ? 'unbound again' : `unbound: ${rb.was!.phone} is another agent's now`;
      rollback.audit.push({ action: 'rebind', subject: rb.agentId, result: 'OK', source: 'resync', by: 'intent', detail: `an interrupted change's binding ${rb.from ? `to ${rb.from.phone}` : 'removal'} rolled back: ${binding}` });
    }
    await recordChange(store, { audit: rollback.audit, intentId: intent.id, ...(rollback.drop.length ? { remove: rollback.drop } : {}) });
    intentsRepaired += 1;
    log.warn({ intent: intent.id, subject: intent.subject, removed: rollback.remove.length, added: rollback.add.length, binding }, 'unfinished change rolled back');
    if (rollback.remove.length || rollback.add.length || rollback.pause.length) live = await readLive(pbx, req.interfaces);
    if (rollback.drop.length) {
      const gone = new Set(rollback.drop.map((d) => memberKey(d.queue, d.interface)));
      records = records.filter((r) => !gone.has(memberKey(r.queue, r.interface)));
    }
  }
  const inScope = (queue: string): boolean => !req.queues || req.queues.some((q) => q.toLowerCase() === queue.toLowerCase());
  const steps = planSync({
    live: live.members.filter((m) => inScope(m.queue)),
    knownQueues: live.known,
    records: records.filter((r) => inScope(r.queue)),
    mode: req.mode,
    policy: deps.policy,
    now,
  });

  const source = req.mode === 'event' ? 'asterisk' : 'resync';
  const result: ReconcileResult = { restored: [], adopted: 0, updated: 0, dropped: [], waiting: 0, intentsRepaired };
  const put: MemberRecord[] = [];
  const remove: Array<{ queue: string; interface: string }> = [];
  const audit: AuditEntry[] = [];
  const entry = (r: MemberRecord, action: string, detail: string): AuditEntry =>
    ({ action, subject: r.subject, queue: r.queue, result: 'OK', source, by: req.by, detail });

  for (const s of steps) {
    if (s.kind === 'adopt') {
      put.push(s.record);
      audit.push(entry(s.record, 'adopt', `external member, penalty=${s.record.penalty}${pauseText(s.record)}`));
      result.adopted += 1;
    } else if (s.kind === 'update') {
      put.push(s.record);
      const action = s.changes.includes('paused') ? (s.record.paused ? 'pause' : 'unpause') : 'update';
      audit.push(entry(s.record, action, `${s.changes.join(',')} changed in Asterisk${pauseText(s.record)}`));
      result.updated += 1;
    } else if (s.kind === 'drop') {
      remove.push({ queue: s.record.queue, interface: s.record.interface });
      audit.push(entry(s.record, 'logout', s.reason));
      result.dropped.push(s.record);
    } else if (s.kind === 'wait') {
      result.waiting += 1;
    }
  }

  // Restores first, so a lost AMI connection part-way still lets the records
  // and audit of what was done be written below.
  let failure: unknown;
  try {
    for (const s of steps) {
      if (s.kind !== 'restore') continue;
      if (await restore(deps, s.record)) {
        result.restored.push(s.record);
        audit.push(entry(s.record, 'restore', `penalty=${s.record.penalty}${pauseText(s.record)}`));
      }
    }
  } catch (err) {
    failure = err;
  }
  if (put.length || remove.length || audit.length) await recordChange(store, { put, remove, audit });
  if (failure) throw failure;

  if (steps.some((s) => s.kind !== 'wait')) {
    log.info({ interfaces: req.interfaces, mode: req.mode, by: req.by, restored: result.restored.length, adopted: result.adopted, updated: result.updated, dropped: result.dropped.length }, 'queue members settled with Asterisk');
  }

  if (req.lamps && deps.lamps) {
    const after = records.filter((r) => !result.dropped.includes(r)).concat(put);
    const concerned = new Set([...(req.queues ?? []), ...live.members.map((m) => m.queue), ...before.map((r) => r.queue), ...records.map((r) => r.queue)]);
    const targets = lampTargets(live.members, result.restored, after);
    // Every other queue these interfaces were or were said to be in: no member there now, so dark.
    for (const queue of concerned) {
      for (const iface of req.interfaces) {
        if (!targets.some((t) => memberKey(t.queue, t.interface) === memberKey(queue, iface))) {
          targets.push({ queue, interface: iface, subject: subjectOf(after, before, queue, iface), in: false, paused: false });
        }
      }
    }
    await deps.lamps.show(targets).catch((err: Error) => log.warn({ err: err.message }, 'BLF states not set'));
  }
  return result;
}

function pauseText(r: MemberRecord): string {
  return r.paused ? ` paused${r.reason ? ` (${r.reason})` : ''}` : '';
}

function subjectOf(records: readonly MemberRecord[], before: readonly MemberRecord[], queue: string, iface: string): string {
  const key = memberKey(queue, iface);
  const r = records.find((x) => memberKey(x.queue, x.interface) === key) ?? before.find((x) => memberKey(x.queue, x.interface) === key)
    ?? records.find((x) => sameInterface(x.interface, iface));
  return r?.subject ?? externalIdentity(iface).subject;
}

/**
 * Lamps for Asterisk's dynamic members plus the members just restored (lit), and
 * for the records given as `off` that are members no more (dark).
 */
export function lampTargets(
  members: readonly { queue: string; interface: string; membership: string; paused: boolean }[],
  restored: readonly MemberRecord[],
  records: readonly MemberRecord[],
  off: readonly MemberRecord[] = [],
): LampTarget[] {
  const out = new Map<string, LampTarget>();
  for (const m of members) {
    if (m.membership !== 'dynamic') continue;
    out.set(memberKey(m.queue, m.interface), { queue: m.queue, interface: m.interface, subject: subjectOf(records, [], m.queue, m.interface), in: true, paused: m.paused });
  }
  for (const r of restored) out.set(memberKey(r.queue, r.interface), { queue: r.queue, interface: r.interface, subject: r.subject, in: true, paused: r.paused });
  for (const r of off) {
    const key = memberKey(r.queue, r.interface);
    if (!out.has(key)) out.set(key, { queue: r.queue, interface: r.interface, subject: r.subject, in: false, paused: false });
  }
  return [...out.values()];
}

/** Adds a recorded member back with its penalty, name and pause. false when it could not be and the record should stay as it is. */
async function restore(deps: SyncDeps, r: MemberRecord): Promise<boolean> {
  const { pbx, log } = deps;
  // addMember and setGlobal have turned an AMI outage into PbxUnavailableError.
  const unavailable = (err: unknown): boolean => err instanceof PbxUnavailableError;
  const style = memberAddOptions(r.interface, deps.members);
  try {
    // Added paused when it was, so no call reaches it between the two actions.
    const outcome = await addMember(pbx, {
      queue: r.queue, interface: r.interface, penalty: r.penalty, memberName: r.name || undefined, paused: r.paused,
      ...(style.stateInterface ? { stateInterface: style.stateInterface } : {}),
    });
    if (outcome === 'already') {
      log.info({ queue: r.queue, interface: r.interface }, 'member to restore is already back in Asterisk');
      return false;
    }
  } catch (err) {
    if (unavailable(err)) throw err;
    log.error({ queue: r.queue, interface: r.interface, err: (err as Error).message }, 'member could not be restored; its record is kept');
    return false;
  }
  if (style.ringInUse === false) {
    try {
      await setRingInUse(pbx, { queue: r.queue, interface: r.interface, ringInUse: false });
    } catch (err) {
      if (unavailable(err)) throw err;
      log.warn({ queue: r.queue, interface: r.interface, err: (err as Error).message }, 'restored member may be rung while on a call');
    }
  }
  if (r.paused && r.reason) {
    try {
      await pauseMember(pbx, { queue: r.queue, interface: r.interface, paused: true, reason: r.reason });
    } catch (err) {
      if (unavailable(err)) throw err;
      log.warn({ queue: r.queue, interface: r.interface, err: (err as Error).message }, 'restored member paused without its reason');
    }
  }
  return true;
}
