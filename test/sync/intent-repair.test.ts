// An intent left by a killed process, a lost reply or a failed undo is rolled back.
import { describe, expect, it } from 'vitest';
import type { QueueMember } from '../../lib/ami/client.ts';
import type { MemberRecord } from '../../lib/members/records.ts';
import type { Intent } from '../../lib/store/intents.ts';
import { planIntentRollback } from '../../lib/sync/intent-repair.ts';

const IFACE = 'Local/79112223344@outbound-allroutes/n';
const known = new Set(['8008', '8009']);

const member = (queue: string, over: Partial<QueueMember> = {}): QueueMember => ({
  queue, name: 'Ivan Petrov', interface: IFACE, stateInterface: IFACE, membership: 'dynamic', penalty: 2, callsTaken: 0, lastCall: 0,
  lastPause: 0, loginTime: 1795315251, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0, ...over,
});
const record = (queue: string): MemberRecord => ({
  queue, interface: IFACE, subject: '79112223344', kind: 'number', penalty: 2, name: 'Ivan Petrov', since: 1, source: 'agentgate', paused: false, reason: '',
});
const intent = (over: Partial<Intent>): Intent => ({ id: 'i1', at: 1, subject: '79112223344', adds: [], removes: [], ...over });

describe('an interrupted change is rolled back (its caller was never told it was done)', () => {
  it('takes out again a member the change added, and leaves a queue where the add never happened', () => {
    const r = planIntentRollback(intent({ adds: [{ queue: '8008', interface: IFACE }, { queue: '8009', interface: IFACE }] }), [member('8008', { penalty: 9, name: 'Ivan' })], [], known);
    expect(r).toEqual({
      remove: [{ queue: '8008', interface: IFACE }],
      add: [],
      pause: [],
      drop: [],
      audit: [{ action: 'logout', subject: '79112223344', queue: '8008', result: 'OK', source: 'resync', by: 'intent', detail: expect.any(String) }],
    });
  });

  it('puts back a member the change removed, as it was (from the intent, or from the record of an older intent)', () => {
    const was = { penalty: 4, name: 'Ivan P', paused: true, reason: 'lunch' };
    const r = planIntentRollback(intent({
      removes: [{ queue: '8008', interface: IFACE, member: was }, { queue: '8009', interface: IFACE }],
    }), [], [record('8008'), record('8009')], known);
    expect(r).toMatchObject({
      remove: [],
      add: [{ queue: '8008', interface: IFACE, ...was }, { queue: '8009', interface: IFACE, penalty: 2, name: 'Ivan Petrov', paused: false, reason: '' }],
      audit: [{ action: 'login', queue: '8008' }, { action: 'login', queue: '8009' }],
    });
  });

  it('does not put back a member with no record: it was gone before the change began (decided from a live model that had not seen it go)', () => {
    const r = planIntentRollback(intent({ removes: [{ queue: '8009', interface: IFACE, member: { penalty: 2, name: 'Ivan', paused: false, reason: '' } }] }), [], [], known);
    expect(r).toEqual({ remove: [], add: [], pause: [], drop: [], audit: [] });
  });

  it('does nothing where the change did not happen', () => {
    const r = planIntentRollback(intent({ adds: [{ queue: '8008', interface: IFACE }], removes: [{ queue: '8009', interface: IFACE }] }), [member('8009')], [record('8009')], known);
    expect(r).toEqual({ remove: [], add: [], pause: [], drop: [], audit: [] });
  });

  it('leaves a member Redis recorded before the change began to the re-sync policy', () => {
    const r = planIntentRollback(intent({ adds: [{ queue: '8008', interface: IFACE }] }), [member('8008')], [record('8008')], known);
    expect(r).toEqual({ remove: [], add: [], pause: [], drop: [], audit: [] });
  });

  it('sets a pause back as it was, only where it changed', () => {
    const r = planIntentRollback(intent({
      pauses: [{ queue: '8008', interface: IFACE, paused: false, reason: '' }, { queue: '8009', interface: IFACE, paused: false, reason: '' }],
    }), [member('8008', { paused: true, pausedReason: 'lunch' }), member('8009')], [], known);
    expect(r).toMatchObject({ pause: [{ queue: '8008', paused: false }], audit: [{ action: 'unpause', queue: '8008' }] });
  });

  describe('an agent\'s binding the change moved', () => {
    const A = { phone: '1001', interface: 'Local/1001@from-internal/n' };
    const B = { phone: '1002', interface: 'Local/1002@from-internal/n' };
    const moved = intent({ subject: '7001', binding: { agentId: '7001', was: { ...A, since: 5 }, to: B } });
    const agentRecord = (iface: string): MemberRecord => ({ ...record('8008'), interface: iface, subject: '7001', kind: 'agent' });
    const none = { remove: [], add: [], pause: [], drop: [], audit: [] };

    it('is put back where it was when the change had moved it (the interface compared as Asterisk does)', () => {
      const r = planIntentRollback(moved, [], [], known, { phone: '1002', interface: 'LOCAL/1002@from-internal/n' });
      expect(r).toMatchObject({ rebind: { agentId: '7001', was: { ...A, since: 5 }, from: B } });
    });

    it('is left alone where the change had not moved it yet, or something has moved it since', () => {
      expect(planIntentRollback(moved, [], [], known, A)).toEqual(none);
      expect(planIntentRollback(moved, [], [], known, { phone: '1003', interface: 'Local/1003@from-internal/n' })).toEqual(none);
      expect(planIntentRollback(moved, [], [], known, null)).toEqual(none);
    });

    it('of a logout: bound again when it is gone and its records are still there; of a first login: unbound again', () => {
      const logout = intent({ binding: { agentId: '7001', was: { ...A, since: 5 }, to: null } });
      expect(planIntentRollback(logout, [], [agentRecord(A.interface)], known, null)).toMatchObject({ rebind: { was: { ...A, since: 5 }, from: null } });
      expect(planIntentRollback(logout, [], [agentRecord(A.interface)], known, A)).not.toHaveProperty('rebind');
      const first = intent({ binding: { agentId: '7001', was: null, to: B } });
      expect(planIntentRollback(first, [], [], known, B)).toMatchObject({ rebind: { was: null, from: B } });
      expect(planIntentRollback(first, [], [], known, null)).not.toHaveProperty('rebind');
    });

    it('is left as a change since has settled it: a login redialled after the failure recorded the agent where this one bound it', () => {
      // The intent can wait for a re-sync a long time (a reply lost with the process alive).
      expect(planIntentRollback(moved, [], [agentRecord(B.interface)], known, B)).not.toHaveProperty('rebind');
      const first = intent({ binding: { agentId: '7001', was: null, to: B } });
      expect(planIntentRollback(first, [], [agentRecord('LOCAL/1002@from-internal/n')], known, B)).not.toHaveProperty('rebind');
      // Another agent's record there is not this agent's login.
      expect(planIntentRollback(first, [], [{ ...agentRecord(B.interface), subject: '7002' }], known, B)).toHaveProperty('rebind');
    });

    it('once a change since has moved the agent on, what this change took out stays out and its records go', () => {
      const removedAtA = { queue: '8008', interface: A.interface, member: { penalty: 2, name: 'Ivan', paused: false, reason: '' } };
      // A move from A to B, killed after its bind; the agent then logged in at B again (recorded there).
      const move = intent({ subject: '7001', removes: [removedAtA], binding: { agentId: '7001', was: { ...A, since: 5 }, to: B } });
      expect(planIntentRollback(move, [], [agentRecord(A.interface), agentRecord(B.interface)], known, B)).toMatchObject({ add: [], drop: [{ queue: '8008', interface: A.interface }], audit: [{ action: 'logout', queue: '8008' }] });
      // A logout from A, killed after its unbind; the agent then logged in at a third desk.
      const logout = intent({ subject: '7001', removes: [removedAtA], binding: { agentId: '7001', was: { ...A, since: 5 }, to: null } });
      const atC = { phone: '1003', interface: 'Local/1003@from-internal/n' };
      expect(planIntentRollback(logout, [], [agentRecord(A.interface)], known, atC)).toMatchObject({ add: [], drop: [{ queue: '8008', interface: A.interface }] });
      // Nothing since: put back as it was.
      expect(planIntentRollback(logout, [], [agentRecord(A.interface)], known, null)).toMatchObject({ add: [{ queue: '8008', interface: A.interface }], drop: [] });
      expect(planIntentRollback(move, [], [agentRecord(A.interface)], known, A)).toMatchObject({ add: [{ queue: '8008', interface: A.interface }], drop: [] });
    });

    it('is left as a change since has settled it: a login and logout since took away the records where this logout unbound the agent', () => {
      const logout = intent({ binding: { agentId: '7001', was: { ...A, since: 5 }, to: null } });
      expect(planIntentRollback(logout, [], [], known, null)).not.toHaveProperty('rebind');
    });
  });

  it('waits while Asterisk does not report one of its queues (still booting)', () => {
    expect(planIntentRollback(intent({ adds: [{ queue: '8010', interface: IFACE }] }), [], [], known)).toBe('wait');
  });
});
