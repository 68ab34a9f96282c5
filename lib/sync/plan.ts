// The re-sync policy, as one pure function: given what Asterisk has and what
// Redis holds, what to do. No I/O, so every rule below is tested without a
// socket (test/sync/plan.test.ts); reconcile.ts carries the steps out.
//
// Re-sync (every AMI login, FullyBooted, and Redis coming back):
// - A member Redis holds as logged in by agentgate (source `agentgate`) that
//   Asterisk lacks: with RESYNC_POLICY=restore (default) it is added back with
//   its penalty, name, paused state and reason (Asterisk restarted without
//   persistentmembers, or lost it); with RESYNC_POLICY=forget its record is
//   dropped. Either way the audit trail says so.
// - A dynamic member Asterisk has that Redis lacks is adopted: recorded with
//   source `external` and Asterisk's penalty, name and pause state.
// - A record of an `external` member Asterisk no longer has is dropped.
// - A member both hold: Asterisk's penalty, name and pause state win.
// - A queue Asterisk does not report (still booting, or removed from its
//   configuration) is left alone: its records are neither restored nor dropped
//   until Asterisk reports the queue again.
// - Static members (queues.conf) are Asterisk's own: never adopted, never touched;
//   a record for an interface that is now a static member is dropped.
// - Nothing is ever removed from Asterisk by a re-sync.
//
// Live events (QueueMemberAdded/Removed/Pause) go through the same function in
// `event` mode: a member removed in Asterisk is a removal someone made, so its
// record is dropped whatever the policy; the rest is as above.
import type { QueueMember } from '../ami/client.ts';
import type { MissingPolicy } from '../config.ts';
import type { MemberRecord } from '../members/records.ts';
import { externalIdentity, memberKey } from '../asterisk/interfaces.ts';

export type { MissingPolicy };

export type SyncMode = 'resync' | 'event';

export interface PlanInput {
  /** Asterisk's members in scope, any membership. */
  live: readonly QueueMember[];
  /** Queues Asterisk reported (QueueParams), any case. */
  knownQueues: ReadonlySet<string>;
  /** Redis's records in scope. */
  records: readonly MemberRecord[];
  mode: SyncMode;
  policy: MissingPolicy;
  /** ms since the epoch, for a record adopted without a LoginTime. */
  now: number;
}

export type SyncStep =
  /** Add back to Asterisk as recorded; the record stays as it is. */
  | { kind: 'restore'; record: MemberRecord }
  /** A new record, source external. */
  | { kind: 'adopt'; record: MemberRecord }
  /** The record rewritten with Asterisk's values; `changes` names the fields. */
  | { kind: 'update'; record: MemberRecord; changes: Array<'penalty' | 'name' | 'paused' | 'reason'> }
  /** The record deleted. */
  | { kind: 'drop'; record: MemberRecord; reason: string }
  /** Nothing done now: Asterisk does not report the record's queue. */
  | { kind: 'wait'; record: MemberRecord };

export function planSync(input: PlanInput): SyncStep[] {
  const known = new Set([...input.knownQueues].map((q) => q.toLowerCase()));
  const live = new Map(input.live.map((m) => [memberKey(m.queue, m.interface), m]));
  const recorded = new Set<string>();
  const steps: SyncStep[] = [];

  for (const record of input.records) {
    const key = memberKey(record.queue, record.interface);
    recorded.add(key);
    if (!known.has(record.queue.toLowerCase())) {
      steps.push({ kind: 'wait', record });
      continue;
    }
    const m = live.get(key);
    if (!m) {
      steps.push(missing(record, input));
    } else if (m.membership !== 'dynamic') {
      steps.push({ kind: 'drop', record, reason: `now a ${m.membership || 'static'} member in Asterisk` });
    } else {
      const changes = differences(record, m);
      if (changes.length) steps.push({ kind: 'update', record: { ...record, ...asteriskValues(m) }, changes });
    }
  }

  for (const [key, m] of live) {
    if (recorded.has(key) || m.membership !== 'dynamic') continue;
    const who = externalIdentity(m.interface);
    steps.push({
      kind: 'adopt',
      record: {
        queue: m.queue,
        interface: m.interface,
        subject: who.subject,
        kind: who.kind,
        ...asteriskValues(m),
        since: m.loginTime > 0 ? m.loginTime * 1000 : input.now,
        source: 'external',
      },
    });
  }
  return steps;
}

function missing(record: MemberRecord, input: PlanInput): SyncStep {
  if (input.mode === 'event') return { kind: 'drop', record, reason: 'removed in Asterisk' };
  if (record.source === 'external') return { kind: 'drop', record, reason: 'external member no longer in Asterisk' };
  if (input.policy === 'restore') return { kind: 'restore', record };
  return { kind: 'drop', record, reason: 'no longer in Asterisk (RESYNC_POLICY=forget)' };
}

function asteriskValues(m: QueueMember): Pick<MemberRecord, 'penalty' | 'name' | 'paused' | 'reason'> {
  return { penalty: m.penalty, name: m.name, paused: m.paused, reason: m.paused ? m.pausedReason : '' };
}

function differences(record: MemberRecord, m: QueueMember): Array<'penalty' | 'name' | 'paused' | 'reason'> {
  const a = asteriskValues(m);
  const out: Array<'penalty' | 'name' | 'paused' | 'reason'> = [];
  if (record.penalty !== a.penalty) out.push('penalty');
  if (record.name !== a.name) out.push('name');
  if (record.paused !== a.paused) out.push('paused');
  if ((record.reason ?? '') !== a.reason) out.push('reason');
  return out;
}
