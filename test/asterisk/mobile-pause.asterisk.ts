// Issue 13 on a real Asterisk with FreePBX's queue: a mobile that rejects
// three queue calls in a row is paused with reason noanswer; the shipped
// [agentgate-pause] (queue-pause) unpauses and pauses it; and queue_log holds
// AGENTLOGIN / AGENTLOGOFF for a toggle in and out, under the member name
// Asterisk itself uses for PAUSE.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const IVAN = '79112223344';
const mobile = (n: string) => `Local/${n}@outbound-allroutes/n`;

describe.skipIf(asteriskMissing)('mobile pause, auto-pause and queue_log sessions', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['allow', 'add', '8008', `+${IVAN}`, '--penalty', '1', '--name', 'Ivan Petrov'] }),
  });
  const queueLog = () => readFileSync(path.join(world().ast.dir, 'log', 'queue_log'), 'utf8').trim().split('\n').map((l) => l.split('|'));

  it('pauses a mobile with reason noanswer after it rejects three queue calls in a row', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: IVAN });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN' });
    // A reject (busy) ends the ring at once: Asterisk reports each as AgentRingNoAnswer.
    await w.phone(IVAN, 'busy');
    const q = await w.queueCall('8008', {
      until: (r) => r.events.filter((e) => e.Event === 'AgentRingNoAnswer').length >= 3,
      timeoutMs: 30_000,
    });
    expect(q.events.filter((e) => e.Event === 'AgentRingNoAnswer' && e.Interface === mobile(IVAN)).length).toBeGreaterThanOrEqual(3);
    const [m] = await w.waitMembers('8008', (ms) => ms.some((x) => x.paused));
    expect(m).toMatchObject({ interface: mobile(IVAN), paused: true, reason: 'noanswer' });
    const audit = await w.cli(['audit', '--count', '5']);
    expect(audit.stdout).toMatch(new RegExp(`auto-pause\\t${IVAN}\\t8008\\tOK\\tauto`));
  });

  it('queue-pause from the mobile lifts the auto-pause, then pauses it again', async () => {
    const w = world();
    const un = await w.call({ context: 'agentgate-pause', exten: 's', from: IVAN });
    expect(un.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'UNPAUSED', QUEUESTAT: 'LOGGEDIN', AGENTGATE_PAUSED_QUEUES: '' });
    expect(un.heard).toEqual(['dictate/pause', 'de-activated']);
    expect(await w.members('8008')).toMatchObject([{ interface: mobile(IVAN), paused: false }]);
    const p = await w.call({ context: 'agentgate-pause', exten: 's', from: IVAN });
    expect(p.vars).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', AGENTGATE_PAUSED_QUEUES: '8008' });
    expect(await w.members('8008')).toMatchObject([{ interface: mobile(IVAN), paused: true }]);
    const again = await w.call({ context: 'agentgate-pause', exten: 's', from: IVAN });
    expect(again.vars).toMatchObject({ AGENTGATE_RESULT: 'UNPAUSED' });
    expect(await w.members('8008')).toMatchObject([{ paused: false }]);
  });

  it('queue_log holds AGENTLOGIN and AGENTLOGOFF for a toggle in and out, under the name Asterisk logs PAUSE with', async () => {
    const w = world();
    const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: IVAN });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT' });
    const deadline = Date.now() + 5000;
    while (!queueLog().some((f) => f[4] === 'AGENTLOGOFF') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const lines = queueLog().filter((f) => f[2] === '8008');
    const agentOf = (event: string) => lines.filter((f) => f[4] === event).map((f) => f[3]);
    expect(agentOf('AGENTLOGIN')).toEqual(['Ivan Petrov']);
    expect(agentOf('AGENTLOGOFF')).toEqual(['Ivan Petrov']);
    expect(lines.find((f) => f[4] === 'AGENTLOGIN')?.[5]).toBe(mobile(IVAN));
    expect(lines.find((f) => f[4] === 'AGENTLOGOFF')?.[6]).toMatch(/^\d+$/);
    // Asterisk's own PAUSE lines: the member name, with the reason.
    expect(lines.filter((f) => f[4] === 'PAUSE').map((f) => `${f[3]} ${f[5]}`)).toContain('Ivan Petrov noanswer');
    // With FreePBX's log_membername_as_agent=no Asterisk logs ADDMEMBER under the interface.
    expect(agentOf('ADDMEMBER')).toEqual([mobile(IVAN)]);
  });
});
