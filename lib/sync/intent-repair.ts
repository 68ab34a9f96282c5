// An intent still in Redis means a change to Asterisk was begun and never
// recorded: the process was killed between the AMI action and the Redis write,
// or Redis went away then, or an undo failed. Whoever holds the interface's
// lock and still finds the intent knows its writer is gone (writers hold the
// `iface:<interface>` lock from the intent to the record). The repair records
// what Asterisk really has, never what was meant: an add that happened becomes
// a member with the penalty and name Asterisk reports, a remove that happened
// drops the record, a step that did not happen leaves things as they are.
// Pure: reconcile.ts writes the result and deletes the intent in one MULTI.
import type { QueueMember } from '../ami/client.ts';
import type { MemberRecord } from '../members/records.ts';
import type { AuditEntry } from '../store/audit.ts';
import type { Intent } from '../store/intents.ts';
import { externalIdentity, memberKey } from '../asterisk/interfaces.ts';

export interface IntentRepair {
  put: MemberRecord[];
  remove: Array<{ queue: string; interface: string }>;
  audit: AuditEntry[];
}

const DETAIL = 'finished from what Asterisk has, after an interrupted change';

/**
 * What to record for one intent, or 'wait' when Asterisk does not report one
 * of its queues yet (still booting): deciding then would read "not added".
 */
export function planIntentRepair(
  intent: Intent,
  live: readonly QueueMember[],
  records: readonly MemberRecord[],
  knownQueues: ReadonlySet<string>,
  now: number,
): IntentRepair | 'wait' {
  const known = new Set([...knownQueues].map((q) => q.toLowerCase()));
  if ([...intent.adds, ...intent.removes].some((e) => !known.has(e.queue.toLowerCase()))) return 'wait';
  const liveBy = new Map(live.filter((m) => m.membership === 'dynamic').map((m) => [memberKey(m.queue, m.interface), m]));
  const recBy = new Map(records.map((r) => [memberKey(r.queue, r.interface), r]));
  const out: IntentRepair = { put: [], remove: [], audit: [] };
  const audit = (action: string, queue: string): AuditEntry => ({
    action, subject: intent.subject, queue, result: 'OK', source: 'resync', by: 'intent', detail: DETAIL,
  });

  const record = (e: { queue: string; interface: string }, m: QueueMember): MemberRecord => ({
    queue: e.queue,
    interface: e.interface,
    subject: intent.subject,
    kind: externalIdentity(e.interface).subject === intent.subject ? 'number' : 'agent',
    penalty: m.penalty,
    name: m.name,
    since: m.loginTime > 0 ? m.loginTime * 1000 : now,
    source: 'agentgate',
    paused: m.paused,
    reason: m.paused ? m.pausedReason : '',
  });

  for (const e of intent.adds) {
    const key = memberKey(e.queue, e.interface);
    const m = liveBy.get(key);
    if (!m) continue; // the add did not happen
    const rec = recBy.get(key);
    if (rec?.source === 'agentgate' && rec.subject === intent.subject) continue; // already recorded
    out.put.push(record(e, m));
    out.audit.push(audit('login', e.queue));
  }
  for (const e of intent.removes) {
    const key = memberKey(e.queue, e.interface);
    const m = liveBy.get(key);
    const rec = recBy.get(key);
    if (!m) {
      if (rec) {
        out.remove.push({ queue: rec.queue, interface: rec.interface });
        out.audit.push(audit('logout', e.queue));
      }
    } else if (!rec) {
      // The remove did not happen and the member was ours before it began.
      out.put.push(record(e, m));
    }
  }
  return out;
}
