// The queue ringing mobile members over FreePBX's outbound route and a trunk
// whose far end the test plays: busy, no answer, answer.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const BUSY = '79110000001';
const ANSWERS = '79110000002';
const mobile = (n: string) => `Local/${n}@outbound-allroutes/n`;

describe.skipIf(asteriskMissing)('queue calls to mobile members', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['allow', 'add', '8008', BUSY] }, { args: ['allow', 'add', '8008', ANSWERS] }),
  });

  it('a queue call skips a busy mobile and connects the one that answers', async () => {
    const w = world();
    await admin(w, { args: ['login', BUSY, '8008'] }, { args: ['login', ANSWERS, '8008'] });
    try {
      await w.phone(BUSY, 'busy');
      await w.phone(ANSWERS, 'answer', { holdSec: 1 });
      // Both members there and "Not in use" before the customer calls.
      await w.waitMembers('8008', (ms) => ms.length === 2 && ms.every((m) => m.status === 1));
      const q = await w.queueCall('8008', { until: (r) => r.rang.length === 2 && r.events.some((e) => e.Event === 'AgentComplete') });
      expect([...q.rang].sort()).toEqual([BUSY, ANSWERS]);
      expect(q.answered).toEqual([ANSWERS]);
      expect(q.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).toEqual([mobile(ANSWERS)]);
    } finally {
      await admin(w, { args: ['logout', BUSY] }, { args: ['logout', ANSWERS] });
    }
    expect(await w.members('8008')).toEqual([]);
  });

  it('a mobile that does not answer rings for the queue\'s 15 s agent timeout (FreePBX "Agent Timeout"), then the queue gives up on it', async () => {
    const w = world();
    await admin(w, { args: ['login', ANSWERS, '8008'] });
    try {
      await w.phone(ANSWERS, 'noanswer');
      await w.waitMembers('8008', (ms) => ms.length === 1 && ms[0]!.status === 1);
      const q = await w.queueCall('8008', { until: (r) => r.events.some((e) => e.Event === 'AgentRingNoAnswer'), timeoutMs: 25_000 });
      expect(q.rang[0]).toBe(ANSWERS);
      expect(q.answered).toEqual([]);
      const noAnswer = q.events.find((e) => e.Event === 'AgentRingNoAnswer');
      expect(noAnswer).toMatchObject({ Queue: '8008', Interface: mobile(ANSWERS) });
      expect(Number(noAnswer!.RingTime)).toBeGreaterThanOrEqual(14);
    } finally {
      await admin(w, { args: ['logout', ANSWERS] });
    }
  });
});
