// Mobile agents toggling themselves from an IVR option or a Custom Destination
// ([agentgate-toggle] of the shipped dialplan) in a real Asterisk, and the queue
// then really ringing the mobile through FreePBX's outbound route and a trunk
// whose far end the test plays.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const IVAN = '79112223344';
const mobile = (n: string) => `Local/${n}@outbound-allroutes/n`;

describe.skipIf(asteriskMissing)('[agentgate-toggle]: a mobile toggles itself in a queue', () => {
  const world = useWorld({
    setup: (w) => admin(w,
      { args: ['allow', 'add', '8008', `+${IVAN}`, '--penalty', '1', '--name', 'Ivan Petrov'] },
    ),
  });

  it('logs an allowed mobile in with its penalty and name, reads the number back, and the queue rings it through the outbound route', async () => {
    const w = world();
    const added = w.ami.waitEvent((e) => e.Event === 'QueueMemberAdded' && e.Interface === mobile(IVAN), 'QueueMemberAdded');
    // The Custom Destination agentgate-toggle,8008,1 as an IVR option reaches it.
    const c = await w.call({ context: 'agtest-ivr', exten: '8008', from: `+${IVAN}`, name: 'Ivan' });
    expect(c.contexts).toEqual(['agtest-ivr', 'agentgate-toggle']);
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDIN', QUEUESTAT: 'LOGGEDIN', AGENTGATE_NUMBER: IVAN, AGENTGATE_QUEUES: '8008' });
    expect(c.heard).toEqual(['agent-loginok', `digits:${IVAN}`]);
    await added;
    expect(await w.members('8008')).toEqual([
      expect.objectContaining({ interface: mobile(IVAN), name: 'Ivan Petrov', membership: 'dynamic', penalty: 1, paused: false }),
    ]);

    await w.phone(IVAN, 'answer', { holdSec: 1 });
    const q = await w.queueCall('8008', { until: (r) => r.events.some((e) => e.Event === 'AgentComplete') });
    expect(q.rang).toEqual([IVAN]);
    expect(q.answered).toEqual([IVAN]);
    expect(q.events.find((e) => e.Event === 'AgentConnect')).toMatchObject({ Queue: '8008', Interface: mobile(IVAN), MemberName: 'Ivan Petrov' });
  });

  it('toggles the same mobile out again: "logged off", and Asterisk has no member left', async () => {
    const w = world();
    expect(await w.members('8008')).toHaveLength(1);
    const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: IVAN });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', QUEUESTAT: 'LOGGEDOUT', AGENTGATE_QUEUES: '' });
    expect(c.heard).toEqual(['agent-loggedoff']);
    expect(await w.members('8008')).toEqual([]);
  });

  it('refuses a number that is not on the queue\'s list: "invalid", REFUSED, nothing changed, no failure branch', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: '79990001122' });
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_AUTHORIZED', QUEUESTAT: 'REFUSED' });
    expect(c.heard).toEqual(['pbx-invalid']);
    expect(c.contexts).toEqual(['agentgate-toggle']);
    expect(await w.members('8008')).toEqual([]);
  });

  it('refuses a withheld caller ID without asking Asterisk for anything', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: 'anonymous' });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'INVALID_NUMBER' });
    expect(await w.members('8008')).toEqual([]);
  });
});
