// The agent-login and agent-logout scripts as the README shows them: one agent
// per phone, moving to another phone, logging out from elsewhere.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const desk = (ext: string) => `Local/${ext}@from-queue/n`;
const script = (agi: string, from: string, keys?: string[]) => ({ context: 'agtest-scripts', exten: 's', from, keys, vars: { AGTEST_AGI: agi } });

describe.skipIf(asteriskMissing)('agent-login and agent-logout; one agent per phone', () => {
  const world = useWorld({
    setup: (w) => admin(w,
      { args: ['agent', 'create', '7201', '--name', 'Ivan Petrov', '--queues', '8008'], pin: '1357' },
      { args: ['agent', 'create', '7202', '--name', 'Maria Ivanova', '--queues', '8008'], pin: '2468' }),
  });

  it('agent-login?context=from-queue logs the agent in at the desk it calls from', async () => {
    const w = world();
    const c = await w.call(script('agent-login?context=from-queue', '1003', ['7201#', '1357#']));
    expect(c.heard).toEqual(['agent-user', 'agent-pass', 'agent-loginok']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7201', AGENTGATE_PHONE: '1003' });
    expect((await w.members('8008')).map((m) => [m.interface, m.name])).toEqual([[desk('1003'), 'Ivan Petrov']]);
  });

  it('a second agent at the same desk hears "already on", PHONE_TAKEN, and Asterisk keeps the first one', async () => {
    const w = world();
    const c = await w.call(script('agent-login?context=from-queue&agent=7202', '1003', ['2468#']));
    expect(c.heard).toEqual(['agent-pass', 'agent-alreadyon']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'PHONE_TAKEN' });
    expect((await w.members('8008')).map((m) => m.name)).toEqual(['Ivan Petrov']);
  });

  it('logging in at another desk moves the agent: the old member goes, "new location"', async () => {
    const w = world();
    const c = await w.call(script('agent-login?context=from-queue', '1002', ['7201#', '1357#']));
    expect(c.heard).toEqual(['agent-user', 'agent-pass', 'agent-newlocation']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_PHONE: '1002', AGENTGATE_MOVED_FROM: '1003' });
    expect((await w.members('8008')).map((m) => m.interface)).toEqual([desk('1002')]);
  });

  it('agent-logout from any other phone with ID and PIN logs the agent out wherever it is', async () => {
    const w = world();
    const c = await w.call(script('agent-logout', '1003', ['7201#', '1357#']));
    expect(c.heard).toEqual(['agent-user', 'agent-pass', 'agent-loggedoff']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: '7201', AGENTGATE_PHONE: '1002' });
    expect(await w.members('8008')).toEqual([]);
  });
});
