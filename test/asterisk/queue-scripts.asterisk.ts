// The queue-* scripts as the README shows them (queue-login, queue-logout,
// queue-status, queue-toggle with parameters), static members, and queue names
// in another case than Asterisk's.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';
import { STATIC_DESK } from './support/fixture.ts';

const desk = (ext: string) => `Local/${ext}@from-queue/n`;
const script = (agi: string, from: string) => ({ context: 'agtest-scripts', exten: 's', from, vars: { AGTEST_AGI: agi } });

describe.skipIf(asteriskMissing)('queue-login, queue-logout, queue-status', () => {
  const world = useWorld({
    setup: (w) => admin(w,
      { args: ['allow', 'add', '8008', '1001', '--penalty', '3', '--name', 'Desk 1001'] },
      { args: ['allow', 'add', 'Sales', '1002'] },
      { args: ['allow', 'add', '8009', STATIC_DESK] }),
  });

  it('queue-login logs a desk in through from-queue; logging in again changes nothing', async () => {
    const w = world();
    const c = await w.call(script('queue-login?queue=8008&context=from-queue', '1001'));
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDIN', QUEUESTAT: 'LOGGEDIN', AGENTGATE_NUMBER: '1001', AGENTGATE_QUEUES: '8008' });
    expect(c.heard).toEqual(['agent-loginok', 'digits:1001']);
    const again = await w.call({ ...script('queue-login?queue=8008&context=from-queue&prompts=no', '1001') });
    expect(again.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008' });
    expect(again.heard).toEqual([]);
    expect(await w.members('8008')).toEqual([expect.objectContaining({ interface: desk('1001'), name: 'Desk 1001', penalty: 3, membership: 'dynamic' })]);
  });

  it('queue-status reports LOGGEDIN with the queues, and NOQUEUES for a number in none, without prompts', async () => {
    const w = world();
    const one = await w.call(script('queue-status?queue=8008&context=from-queue', '1001'));
    expect(one.vars).toMatchObject({ QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008', AGENTGATE_STATIC_QUEUES: '', AGENTGATE_PAUSED_QUEUES: '' });
    expect(one.heard).toEqual([]);
    const all = await w.call(script('queue-status?context=from-queue', '1001'));
    expect(all.vars).toMatchObject({ QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008' });
    const none = await w.call(script('queue-status?context=from-queue', '1003'));
    expect(none.vars).toMatchObject({ QUEUESTAT: 'NOQUEUES', AGENTGATE_QUEUES: '' });
  });

  it('queue-status and queue-toggle see a static member (queues.conf member=) as STATIC and leave it alone', async () => {
    const w = world();
    const st = await w.call(script('queue-status?queue=8009&context=from-queue', STATIC_DESK));
    expect(st.vars).toMatchObject({ QUEUESTAT: 'STATIC', AGENTGATE_STATIC_QUEUES: '8009', AGENTGATE_QUEUES: '' });
    const toggle = await w.call(script('queue-toggle?queue=8009&context=from-queue&prompts=no', STATIC_DESK));
    expect(toggle.vars).toMatchObject({ AGENTGATE_RESULT: 'STATIC', QUEUESTAT: 'STATIC' });
    expect(await w.members('8009')).toEqual([expect.objectContaining({ interface: desk(STATIC_DESK), membership: 'static' })]);
  });

  it('queue-logout logs the desk out ("logged off"); logging out again is fine', async () => {
    const w = world();
    const c = await w.call(script('queue-logout?queue=8008&context=from-queue', '1001'));
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', QUEUESTAT: 'LOGGEDOUT', AGENTGATE_QUEUES: '' });
    expect(c.heard).toEqual(['agent-loggedoff']);
    expect(await w.members('8008')).toEqual([]);
    const again = await w.call(script('queue-logout?queue=8008&context=from-queue&prompts=no', '1001'));
    expect(again.vars.AGENTGATE_RESULT).toBe('LOGGEDOUT');
  });

  it('queue-login to a queue Asterisk does not have: ERROR NO_SUCH_QUEUE, nothing added', async () => {
    const w = world();
    await admin(w, { args: ['policy', '8010', 'open'] });
    const c = await w.call(script('queue-login?queue=8010&context=from-queue&prompts=no', '1001'));
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'NO_SUCH_QUEUE' });
    expect(await w.members()).toEqual([expect.objectContaining({ membership: 'static' })]);
  });

  // Was a defect (issue 12): queue names were compared case-sensitively while
  // Asterisk ignores case, so queue-logout?queue=sales answers LOGGEDOUT while
  // the member of Sales stayed and kept getting calls.
  it('a queue named Sales in Asterisk: queue-logout?queue=sales really logs the member out', async () => {
    const w = world();
    const inn = await w.call(script('queue-login?queue=Sales&context=from-queue&prompts=no', '1002'));
    expect(inn.vars.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect(await w.members('Sales')).toHaveLength(1);
    const out = await w.call(script('queue-logout?queue=sales&context=from-queue&prompts=no', '1002'));
    expect(out.vars.AGENTGATE_RESULT).toBe('LOGGEDOUT');
    expect(await w.members('Sales')).toEqual([]);
  });

  // Same defect, from the other side: the allowlist says Sales, Asterisk
  // accepts sales, the service refuses.
  it('a queue named Sales in Asterisk: queue-login?queue=sales logs an allowed desk in', async () => {
    const w = world();
    const c = await w.call(script('queue-login?queue=sales&context=from-queue&prompts=no', '1002'));
    expect(c.vars.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect((await w.members('Sales')).map((m) => m.interface)).toEqual([desk('1002')]);
  });
});
