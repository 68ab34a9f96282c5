// Issue 13, proven on the real Asterisk: a mobile confirms a queue call with a
// key (a voicemail that answers at once never gets the customer), a mobile on a
// queue call is not rung for the next one, and a desk member follows its phone's
// hint (in use while on a call).
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const VOICEMAIL = '79110000021';
const PERSON = '79110000022';
const DESK = '1002';
const confirmed = (n: string) => `Local/${n}*outbound-allroutes@agentgate-confirm/n`;

describe.skipIf(asteriskMissing)('mobile members: confirm on answer, busy means busy', () => {
  const world = useWorld({
    env: { CONFIRM_ANSWER: 'on', MOBILE_RING_IN_USE: 'no', DESK_STATE_INTERFACE: 'hint:{ext}@ext-local' },
    setup: (w) => admin(w, { args: ['allow', 'add', '8008', VOICEMAIL] }, { args: ['allow', 'add', '8008', PERSON] }, { args: ['allow', 'add', '8008', DESK] }),
  });

  it('a voicemail that answers at once never gets the customer; the person who presses 1 does, and is not rung for the next customer while talking', async () => {
    const w = world();
    await admin(w, { args: ['login', VOICEMAIL, '8008'] }, { args: ['login', PERSON, '8008'] });
    try {
      const ms = await w.waitMembers('8008', (m) => m.length === 2 && m.every((x) => x.status === 1));
      expect(ms.map((m) => m.interface).sort()).toEqual([confirmed(VOICEMAIL), confirmed(PERSON)]);
      // The voicemail answers and keys nothing; the person answers and presses 1 a second later.
      await w.phone(VOICEMAIL, 'answer', { holdSec: 8 });
      await w.phone(PERSON, 'answer', { holdSec: 20, dtmf: 'ww1' });
      const first = w.queueCall('8008', { until: () => false, timeoutMs: 16_000 });
      await w.waitMembers('8008', (m) => m.some((x) => x.interface === confirmed(PERSON) && x.status === 2), 10_000);
      // The second customer while the person talks: only the voicemail is tried.
      const second = await w.queueCall('8008', { from: '74950000002', until: () => false, timeoutMs: 5000 });
      const q = await first;
      expect(new Set(q.answered)).toEqual(new Set([VOICEMAIL, PERSON]));
      expect(q.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).toEqual([confirmed(PERSON)]);
      const called = second.events.filter((e) => e.Event === 'AgentCalled').map((e) => e.Interface);
      expect(called).toContain(confirmed(VOICEMAIL));
      expect(called).not.toContain(confirmed(PERSON));
      expect(second.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).not.toContain(confirmed(VOICEMAIL));
    } finally {
      await admin(w, { args: ['logout', VOICEMAIL] }, { args: ['logout', PERSON] });
    }
    expect(await w.members('8008')).toEqual([]);
  }, 90_000);

  it('a desk member follows its phone: in use while the desk is on a call', async () => {
    const w = world();
    await admin(w, { args: ['login', DESK, '8008', '--context', 'from-queue'] });
    try {
      const [m] = await w.waitMembers('8008', (x) => x.length === 1);
      expect(m).toMatchObject({ interface: `Local/${DESK}@from-queue/n`, stateInterface: `hint:${DESK}@ext-local` });
      await w.ami.setGlobal(`DEVICE_STATE(Custom:AGTESTDESK${DESK})`, 'INUSE');
      await w.waitMembers('8008', (x) => x[0]?.status === 2);
      await w.ami.setGlobal(`DEVICE_STATE(Custom:AGTESTDESK${DESK})`, 'NOT_INUSE');
      await w.waitMembers('8008', (x) => x[0]?.status === 1);
    } finally {
      await admin(w, { args: ['logout', DESK, '--context', 'from-queue'] });
    }
  }, 60_000);
});
