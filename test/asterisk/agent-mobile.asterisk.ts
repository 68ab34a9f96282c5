// Agents from their mobiles ([agentgate-agent], reached as a Custom Destination
// from an IVR), and wrong PINs.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const MOBILE = '79115556677';
const mobile = `Local/${MOBILE}@outbound-allroutes/n`;

describe.skipIf(asteriskMissing)('[agentgate-agent]: an agent from its own mobile', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['agent', 'create', '7101', '--name', 'Oleg Mobile', '--queues', '8008:0,8009:4', '--mobile', `+${MOBILE}`], pin: '5555' }),
  });

  it('asks only the PIN, logs the agent in at the mobile through the outbound routes, and the queue rings the mobile', async () => {
    const w = world();
    const c = await w.call({ context: 'agtest-ivr', exten: 'agent', from: `+${MOBILE}`, keys: ['5555#'] });
    expect(c.contexts).toEqual(['agtest-ivr', 'agentgate-agent']);
    expect(c.heard).toEqual(['agent-pass', 'agent-loginok']);
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7101', AGENTGATE_PHONE: MOBILE });
    expect((await w.members()).filter((m) => m.interface === mobile).map((m) => [m.queue, m.name, m.penalty])).toEqual([['8008', 'Oleg Mobile', 0], ['8009', 'Oleg Mobile', 4]]);

    await w.phone(MOBILE, 'answer', { holdSec: 1 });
    const q = await w.queueCall('8008', { until: (r) => r.events.some((e) => e.Event === 'AgentComplete') });
    expect(q.rang).toEqual([MOBILE]);
    expect(q.events.find((e) => e.Event === 'AgentConnect')).toMatchObject({ Queue: '8008', Interface: mobile, MemberName: 'Oleg Mobile' });
  });

  it('the second call from the mobile logs it out, no questions asked', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-agent', exten: 's', from: MOBILE });
    expect(c.heard).toEqual(['agent-loggedoff']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_PHONE: MOBILE });
    expect((await w.members()).filter((m) => m.interface === mobile)).toEqual([]);
  });

  it('three wrong PINs: "incorrect" between the tries, REFUSED BAD_PIN, nothing in Asterisk', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-agent', exten: 's', from: MOBILE, keys: ['1111#', '2222#', '3333#'] });
    expect(c.heard).toEqual(['agent-pass', 'agent-incorrect', 'agent-pass', 'agent-incorrect', 'agent-pass', 'agent-incorrect']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'BAD_PIN' });
    expect((await w.members()).filter((m) => m.membership === 'dynamic')).toEqual([]);
  });
});
