// An intent still in Redis means a change to Asterisk was begun and never
// confirmed recorded: the process was killed between the AMI action and the
// Redis write, a reply (AMI or Redis) was lost, or an undo failed. Its writer
// is gone (writers hold the `iface:<interface>` lock from the intent to the
// record), and whoever called was told ERROR, or nothing at all: the AGI
// failed. So the change is rolled back to how things stood before it, never
// finished from a half-applied state: what the caller was told is what
// happened. An add that happened is removed again; a remove that happened is
// added back with the member's penalty, name and pause as they were; an
// agent's binding the change moved is put back where it was. Records are not
// touched (the change never recorded anything), except where a change that
// finished since has moved the agent on: what this one took out then stays
// out, and the records of it it left are dropped.
// Pure: reconcile.ts carries the steps out, then deletes the intent.
import type { QueueMember } from '../ami/client.ts';
import { memberKey } from '../asterisk/interfaces.ts';
import type { MemberRecord } from '../members/records.ts';
import type { AuditEntry } from '../store/audit.ts';
import { bindingMoves, sameBindingAt, type Intent, type IntentBinding, type IntentBindingAt, type IntentMember } from '../store/intents.ts';

export interface IntentRollback {
  /** Members the change added: out of Asterisk again. */
  remove: Array<{ queue: string; interface: string }>;
  /** Members the change removed: back into Asterisk as they were. */
  add: Array<{ queue: string; interface: string } & IntentMember>;
  /** Members whose pause the change set: their pause as it was. */
  pause: Array<{ queue: string; interface: string; paused: boolean; reason: string }>;
  /** The agent's binding the change made: back to what it was (`was` null: unbound from `to`). */
  rebind?: Pick<IntentBinding, 'agentId' | 'was'> & { from: IntentBindingAt | null };
  /** Records of members the change took out, of an agent that has moved on since: they stay out, the records go. */
  drop: Array<{ queue: string; interface: string }>;
  audit: AuditEntry[];
}

const DETAIL = 'an interrupted change rolled back: the caller was not told it was done';

/**
 * The steps that put one intent's members back as they were, or 'wait' when
 * Asterisk does not report one of its queues yet (still booting): deciding
 * then would read "not added".
 */
export function planIntentRollback(
  intent: Intent,
  live: readonly QueueMember[],
  records: readonly MemberRecord[],
  knownQueues: ReadonlySet<string>,
  /** The agent's binding now, when the intent moved one. */
  bindingNow: IntentBindingAt | null = null,
  /** The phone the binding was at is another agent's now: the agent cannot go back there. */
  wasTaken = false,
): IntentRollback | 'wait' {
  const known = new Set([...knownQueues].map((q) => q.toLowerCase()));
  if ([...intent.adds, ...intent.removes].some((e) => !known.has(e.queue.toLowerCase()))) return 'wait';
  const liveBy = new Map(live.filter((m) => m.membership === 'dynamic').map((m) => [memberKey(m.queue, m.interface), m]));
  const recBy = new Map(records.map((r) => [memberKey(r.queue, r.interface), r]));
  const out: IntentRollback = { remove: [], add: [], pause: [], drop: [], audit: [] };
  const b = intent.binding && bindingMoves(intent.binding) ? intent.binding : undefined;
  // The change's binding step happened (the binding is where it left it) and nothing has settled it since.
  const stillAsLeft = b !== undefined && sameBindingAt(bindingNow, b.to) && !settledSince(b, records);
  // A change that finished since has moved the agent on (its binding is neither
  // where this change found it nor where it left it, or was settled where this
  // one left it), or its old phone is another agent's: what this change took
  // away then stays away.
  const superseded = b !== undefined && (wasTaken || (!stillAsLeft && !sameBindingAt(bindingNow, b.was)));
  const audit = (action: string, queue: string): AuditEntry => ({
    action, subject: intent.subject, queue, result: 'OK', source: 'resync', by: 'intent', detail: DETAIL,
  });

  for (const e of intent.adds) {
    const key = memberKey(e.queue, e.interface);
    // Not in Asterisk: the add did not happen. Recorded: the member is Redis's
    // to keep (it was recorded before this change began), the re-sync's policy decides.
    if (!liveBy.has(key) || recBy.has(key)) continue;
    out.remove.push({ queue: e.queue, interface: e.interface });
    out.audit.push(audit('logout', e.queue));
  }
  for (const e of intent.removes) {
    const key = memberKey(e.queue, e.interface);
    if (liveBy.has(key)) continue; // the remove did not happen
    // A change removes a member's record only after Asterisk's member: no
    // record means the member was gone before (a change decided from a live
    // model that had not seen it go), not taken out by this change.
    const rec = recBy.get(key);
    if (!rec) continue;
    if (superseded && rec.kind === 'agent' && rec.subject === b!.agentId) {
      out.drop.push({ queue: e.queue, interface: e.interface });
      out.audit.push({ ...audit('logout', e.queue), detail: 'an interrupted change left this record; the agent has moved on since, so the member stays out' });
      continue;
    }
    // As it was: from the intent, or (an intent of an older version) from its record.
    const was: IntentMember = e.member ?? { penalty: rec.penalty, name: rec.name, paused: rec.paused, reason: rec.reason };
    out.add.push({ queue: e.queue, interface: e.interface, ...was });
    out.audit.push(audit('login', e.queue));
  }
  for (const e of intent.pauses ?? []) {
    const m = liveBy.get(memberKey(e.queue, e.interface));
    if (!m || (m.paused === e.paused && (!e.paused || m.pausedReason === e.reason))) continue;
    out.pause.push(e);
    out.audit.push(audit(e.paused ? 'pause' : 'unpause', e.queue));
  }
  // Back where it was (the old phone taken: unbound from where the change bound it, its members there dropped above).
  if (stillAsLeft) out.rebind = { agentId: b!.agentId, was: b!.was, from: b!.to };
  return out;
}

/**
 * A later change that finished has settled the agent's binding where this one
 * left it (an intent can wait for the next re-sync a long time: a reply lost
 * with the process alive). This change recorded nothing, so: bound where this
 * change bound it and recorded there, a login since (redialled after the
 * failure) kept it; unbound where this change unbound it and no record left
 * where it was, a login and logout since took it out.
 */
function settledSince(b: IntentBinding, records: readonly MemberRecord[]): boolean {
  const recordedAt = (iface: string) => records.some((r) => r.kind === 'agent' && r.subject === b.agentId && r.interface.toLowerCase() === iface.toLowerCase());
  if (b.to) return recordedAt(b.to.interface);
  return b.was !== null && !recordedAt(b.was.interface);
}
