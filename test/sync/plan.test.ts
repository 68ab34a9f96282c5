// The re-sync policy as a pure function: each rule of lib/sync/plan.ts's header.
import { describe, expect, it } from 'vitest';
import type { QueueMember } from '../../lib/ami/client.ts';
import type { MemberRecord } from '../../lib/members/records.ts';
import { planSync, type PlanInput } from '../../lib/sync/plan.ts';

const IVAN = 'Local/79112223344@outbound-allroutes/n';
const OLGA = 'Local/79210001122@outbound-allroutes/n';

function member(queue: string, iface: string, over: Partial<QueueMember> = {}): QueueMember {
  return {
    queue, name: 'Ivan Petrov', interface: iface, stateInterface: iface, membership: 'dynamic', penalty: 2, callsTaken: 0,
    lastCall: 0, lastPause: 0, loginTime: 1795315251, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0, ...over,
  };
}

function record(queue: string, iface: string, over: Partial<MemberRecord> = {}): MemberRecord {
  return {
    queue, interface: iface, subject: '79112223344', kind: 'number', penalty: 2, name: 'Ivan Petrov', since: 1,
    source: 'agentgate', paused: false, reason: '', ...over,
  };
}

const plan = (over: Partial<PlanInput>) =>
  planSync({ live: [], knownQueues: new Set(['8008', '8009']), records: [], mode: 'resync', policy: 'restore', now: 5, ...over });

describe('re-sync plan', () => {
  it('does nothing when Asterisk and Redis agree', () => {
    expect(plan({ live: [member('8008', IVAN)], records: [record('8008', IVAN)] })).toEqual([]);
  });

  it('restores an agentgate member Asterisk lost, as recorded (penalty, name, pause and reason)', () => {
    const rec = record('8008', IVAN, { penalty: 7, paused: true, reason: 'lunch' });
    expect(plan({ records: [rec] })).toEqual([{ kind: 'restore', record: rec }]);
  });

  it('with RESYNC_POLICY=forget, drops it instead, saying why', () => {
    const rec = record('8008', IVAN);
    expect(plan({ records: [rec], policy: 'forget' })).toEqual([{ kind: 'drop', record: rec, reason: 'no longer in Asterisk (RESYNC_POLICY=forget)' }]);
  });

  it('drops an external record Asterisk no longer has, whatever the policy', () => {
    const rec = record('8008', OLGA, { source: 'external', subject: '79210001122' });
    expect(plan({ records: [rec] })).toMatchObject([{ kind: 'drop', reason: 'external member no longer in Asterisk' }]);
  });

  it('adopts a dynamic member Redis lacks as external, with Asterisk values; a Local number is that number', () => {
    const steps = plan({ live: [member('8009', OLGA, { name: 'Olga', penalty: 3, paused: true, pausedReason: 'break' })] });
    expect(steps).toEqual([{
      kind: 'adopt',
      record: { queue: '8009', interface: OLGA, subject: '79210001122', kind: 'number', penalty: 3, name: 'Olga', paused: true, reason: 'break', since: 1795315251000, source: 'external' },
    }]);
  });

  it('adopts a desk phone under its interface', () => {
    expect(plan({ live: [member('8008', 'PJSIP/1001', { loginTime: 0 })] })).toMatchObject([{ kind: 'adopt', record: { subject: 'PJSIP/1001', since: 5 } }]);
  });

  it('never adopts a static member, and drops a record whose interface became one', () => {
    expect(plan({ live: [member('8008', 'PJSIP/1001', { membership: 'static' })] })).toEqual([]);
    expect(plan({ live: [member('8008', IVAN, { membership: 'static' })], records: [record('8008', IVAN)] }))
      .toMatchObject([{ kind: 'drop', reason: 'now a static member in Asterisk' }]);
  });

  it("takes Asterisk's pause state, reason and penalty for a member both have", () => {
    const steps = plan({ live: [member('8008', IVAN, { paused: true, pausedReason: 'lunch', penalty: 4 })], records: [record('8008', IVAN)] });
    expect(steps).toEqual([{ kind: 'update', record: record('8008', IVAN, { paused: true, reason: 'lunch', penalty: 4 }), changes: ['penalty', 'paused', 'reason'] }]);
  });

  it('leaves records of a queue Asterisk does not report alone (booting, or removed from its configuration)', () => {
    const rec = record('8010', IVAN);
    expect(plan({ records: [rec], policy: 'forget' })).toEqual([{ kind: 'wait', record: rec }]);
  });

  it('matches queues and interfaces without case, as app_queue does', () => {
    expect(plan({ live: [member('Sales', IVAN.toUpperCase())], records: [record('sales', IVAN)], knownQueues: new Set(['Sales']) })).toEqual([]);
  });

  it('in event mode, a member gone from Asterisk was removed there: its record goes whatever the policy', () => {
    const rec = record('8008', IVAN);
    expect(plan({ records: [rec], mode: 'event', policy: 'restore' })).toEqual([{ kind: 'drop', record: rec, reason: 'removed in Asterisk' }]);
  });

  it('never plans a removal from Asterisk', () => {
    const steps = plan({
      live: [member('8008', IVAN), member('8009', OLGA), member('8008', 'PJSIP/1001', { membership: 'static' })],
      records: [record('8009', IVAN), record('8008', OLGA, { source: 'external' })],
      policy: 'forget',
    });
    expect(steps.map((s) => s.kind).sort()).toEqual(['adopt', 'adopt', 'drop', 'drop']);
  });
});
