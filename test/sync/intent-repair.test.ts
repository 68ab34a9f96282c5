// An intent left by a killed process is finished from what Asterisk has.
import { describe, expect, it } from 'vitest';
import type { QueueMember } from '../../lib/ami/client.ts';
import type { MemberRecord } from '../../lib/members/records.ts';
import type { Intent } from '../../lib/store/intents.ts';
import { planIntentRepair } from '../../lib/sync/intent-repair.ts';

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

describe('intent repair', () => {
  it('records an add that happened with the penalty and name Asterisk reports, as agentgate', () => {
    const r = planIntentRepair(intent({ adds: [{ queue: '8008', interface: IFACE }, { queue: '8009', interface: IFACE }] }), [member('8008', { penalty: 9, name: 'Ivan' })], [], known, 5);
    expect(r).toEqual({
      put: [{ queue: '8008', interface: IFACE, subject: '79112223344', kind: 'number', penalty: 9, name: 'Ivan', since: 1795315251000, source: 'agentgate', paused: false, reason: '' }],
      remove: [],
      audit: [{ action: 'login', subject: '79112223344', queue: '8008', result: 'OK', source: 'resync', by: 'intent', detail: expect.any(String) }],
    });
  });

  it('drops the record of a remove that happened, and keeps one whose remove did not', () => {
    const r = planIntentRepair(intent({ removes: [{ queue: '8008', interface: IFACE }, { queue: '8009', interface: IFACE }] }), [member('8009')], [record('8008'), record('8009')], known, 5);
    expect(r).toMatchObject({ put: [], remove: [{ queue: '8008', interface: IFACE }], audit: [{ action: 'logout', queue: '8008' }] });
  });

  it('records nothing for an add that did not happen', () => {
    expect(planIntentRepair(intent({ adds: [{ queue: '8008', interface: IFACE }] }), [], [], known, 5)).toEqual({ put: [], remove: [], audit: [] });
  });

  it('an agent intent records the member under the agent id', () => {
    const r = planIntentRepair(intent({ subject: '7001', adds: [{ queue: '8008', interface: IFACE }] }), [member('8008')], [], known, 5);
    expect(r).toMatchObject({ put: [{ subject: '7001', kind: 'agent' }] });
  });

  it('waits while Asterisk does not report one of its queues (still booting)', () => {
    expect(planIntentRepair(intent({ adds: [{ queue: '8010', interface: IFACE }] }), [], [], known, 5)).toBe('wait');
  });
});
