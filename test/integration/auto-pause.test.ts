// Issue 13 end to end through the doubles: a mobile's own pause (queue-pause),
// the auto-pause after unanswered rings (AgentRingNoAnswer as recorded in
// ami-queue-call-noanswer.log), and the queue_log session lines, with the
// real service, AMI client and Redis.
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../lib/app.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/log.ts';
import { getMemberRecord } from '../../lib/members/records.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const MOBILE = '79112223344';
const IFACE = `Local/${MOBILE}@outbound-allroutes/n`;

let h: Harness;
async function start(env: Record<string, string> = {}): Promise<void> {
  h = await startHarness({ env: { TOGGLE_RATE_LIMIT: '1000', ...env } });
  for (const q of ['8008', '8009']) await allowNumber(h.app.svc.store, q, { number: MOBILE, penalty: 1, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
}
afterEach(() => h?.stop());

const member = (queue: string) => h.ami.members(queue).find((m) => m.interface === IFACE);
const login = async (queues = '8008') => expect((await callFastAgi(h.port, { script: `queue-login?queue=${queues}`, callerId: MOBILE })).variables.QUEUESTAT).toBe('LOGGEDIN');
async function missRing(queue: string, caller: string): Promise<void> {
  h.ami.ringNoAnswer(queue, caller, IFACE);
  // The event reaches the service, which counts it in Redis.
  await new Promise((r) => setTimeout(r, 50));
  await h.app.autoPause.idle();
}

describe('queue-pause', () => {
  it('pauses a logged-in number with a reason, then unpauses it, as Asterisk reports', async () => {
    await start();
    await login('8008,8009');
    const p = await callFastAgi(h.port, { script: 'queue-pause?mode=pause&reason=lunch', callerId: MOBILE });
    expect(p.variables).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', QUEUESTAT: 'LOGGEDIN', AGENTGATE_PAUSE_REASON: 'lunch', AGENTGATE_PAUSED_QUEUES: '8008,8009' });
    expect(p.played).toEqual(['dictate/pause', 'activated']);
    expect(member('8008')).toMatchObject({ paused: true, pausedReason: 'lunch' });
    expect(await getMemberRecord(h.app.svc.store, '8008', IFACE)).toMatchObject({ paused: true, reason: 'lunch' });

    const t = await callFastAgi(h.port, { script: 'queue-pause?queue=8009', callerId: MOBILE });
    expect(t.variables).toMatchObject({ AGENTGATE_RESULT: 'UNPAUSED', AGENTGATE_PAUSED_QUEUES: '8008' });
    expect(member('8009')).toMatchObject({ paused: false });
    const u = await callFastAgi(h.port, { script: 'queue-pause?mode=unpause', callerId: MOBILE });
    expect(u.variables).toMatchObject({ AGENTGATE_RESULT: 'UNPAUSED', AGENTGATE_PAUSED_QUEUES: '' });
    expect(member('8008')).toMatchObject({ paused: false });
    const audit = (await readAudit(h.app.svc.store, { count: 10 })).filter((a) => a.subject === MOBILE && /pause/.test(a.action));
    expect(audit.map((a) => `${a.action} ${a.queue ?? '-'} ${a.source}`)).toEqual(['unpause - fastagi', 'unpause 8009 fastagi', 'pause - fastagi']);
  });

  it('finds the member added through the confirm context (confirm on answer on) and pauses it', async () => {
    await start({ CONFIRM_ANSWER: 'on' });
    await login();
    const confirmIface = h.ami.members('8008').find((m) => m.interface.includes(MOBILE))?.interface;
    expect(confirmIface).toMatch(/@agentgate-confirm\/n$/);
    const p = await callFastAgi(h.port, { script: 'queue-pause?mode=pause&reason=lunch', callerId: MOBILE });
    expect(p.variables).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', AGENTGATE_PAUSED_QUEUES: '8008' });
    expect(h.ami.members('8008').find((m) => m.interface === confirmIface)).toMatchObject({ paused: true, pausedReason: 'lunch' });
  });

  it('refuses a number in no queue with NOT_LOGGED_IN and a bad reason with BAD_PARAMS, changing nothing', async () => {
    await start();
    const r = await callFastAgi(h.port, { script: 'queue-pause?mode=pause', callerId: MOBILE });
    expect(r.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_LOGGED_IN', QUEUESTAT: 'REFUSED' });
    await login();
    const bad = await callFastAgi(h.port, { script: 'queue-pause?mode=pause&reason=a%7Cb', callerId: MOBILE });
    expect(bad.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'BAD_PARAMS' });
    expect(member('8008')).toMatchObject({ paused: false });
    expect(h.ami.actions.filter((a) => a.Action === 'QueuePause')).toEqual([]);
  });
});

describe('auto-pause after unanswered rings', () => {
  it('pauses a mobile with reason noanswer at the third unanswered ring, audited and counted in the metrics', async () => {
    await start();
    await login();
    const caller = h.ami.addCaller('8008', { number: '74950003344' });
    await missRing('8008', caller);
    await missRing('8008', caller);
    expect(member('8008')).toMatchObject({ paused: false });
    await missRing('8008', caller);
    await waitFor(() => member('8008')?.paused === true, 'the auto-pause');
    expect(member('8008')).toMatchObject({ paused: true, pausedReason: 'noanswer' });
    expect(await getMemberRecord(h.app.svc.store, '8008', IFACE)).toMatchObject({ paused: true, reason: 'noanswer' });
    const audit = await readAudit(h.app.svc.store, { count: 5 });
    expect(audit.find((a) => a.action === 'auto-pause')).toMatchObject({ subject: MOBILE, queue: '8008', source: 'auto', result: 'OK' });
    expect(await h.app.metrics.text()).toMatch(/agentgate_auto_pauses_total\{queue="8008",reason="noanswer"\} 1/);
    // The mobile unpauses itself: counting starts again from zero.
    expect((await callFastAgi(h.port, { script: 'queue-pause?mode=unpause', callerId: MOBILE })).variables.AGENTGATE_RESULT).toBe('UNPAUSED');
    await new Promise((r) => setTimeout(r, 50));
    await h.app.autoPause.idle();
    await missRing('8008', caller);
    await missRing('8008', caller);
    expect(member('8008')).toMatchObject({ paused: false });
  });

  it('a new login of the paused mobile (queue-login, no logout) lifts the auto-pause, audited', async () => {
    await start();
    await login();
    const caller = h.ami.addCaller('8008', { number: '74950003344' });
    for (let i = 0; i < 3; i++) await missRing('8008', caller);
    await waitFor(() => member('8008')?.paused === true, 'the auto-pause');
    await login();
    expect(member('8008')).toMatchObject({ paused: false });
    expect(await getMemberRecord(h.app.svc.store, '8008', IFACE)).toMatchObject({ paused: false });
    const audit = (await readAudit(h.app.svc.store, { count: 5 })).map((a) => `${a.action} ${a.queue ?? '-'} ${a.source}`);
    expect(audit[0]).toBe('unpause 8008 fastagi');
  });

  it('starts counting again when the member answers a call', async () => {
    await start();
    await login();
    const c1 = h.ami.addCaller('8008', { number: '74950003344' });
    await missRing('8008', c1);
    await missRing('8008', c1);
    h.ami.answerCall('8008', c1, IFACE);
    await new Promise((r) => setTimeout(r, 50));
    await h.app.autoPause.idle();
    h.ami.completeCall('8008', IFACE);
    const c2 = h.ami.addCaller('8008', { number: '74950005566' });
    await missRing('8008', c2);
    await missRing('8008', c2);
    expect(member('8008')).toMatchObject({ paused: false });
  });

  it('keeps the count over a service restart', async () => {
    await start();
    await login();
    const caller = h.ami.addCaller('8008', { number: '74950003344' });
    await missRing('8008', caller);
    await missRing('8008', caller);
    await h.app.stop();
    // A new process on the same Redis and Asterisk.
    const app = await startApp(loadConfig({
      FASTAGI_PORT: '0', AMI_PORT: String(h.ami.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret', REDIS_URL: h.redis.url, REDIS_PREFIX: h.redis.prefix,
    }), silentLogger);
    h.app = app;
    await waitFor(() => app.svc.ami.connected && app.sync.status().lastResyncAt !== undefined, 'the new process synced');
    await missRing('8008', caller);
    await waitFor(() => member('8008')?.paused === true, 'the auto-pause after the restart');
    expect(member('8008')?.pausedReason).toBe('noanswer');
  });

  it('follows the queue rule and lifts its own pause after the cool-down', async () => {
    await start({ AUTOPAUSE_QUEUES: '8008:1:missed:1' });
    await login();
    const caller = h.ami.addCaller('8008', { number: '74950003344' });
    await missRing('8008', caller);
    await waitFor(() => member('8008')?.paused === true, 'the auto-pause');
    expect(member('8008')?.pausedReason).toBe('missed');
    await waitFor(() => member('8008')?.paused === false, 'the cool-down', 6000);
    await waitFor(async () => (await readAudit(h.app.svc.store, { count: 5 })).some((a) => a.action === 'auto-unpause' && a.source === 'auto'), 'the auto-unpause audited');
  });

  it('never pauses a member agentgate did not log in', async () => {
    await start({ AUTOPAUSE_AFTER: '1' });
    h.ami.addMember('8008', IFACE, { name: 'GUI member' });
    await h.app.sync.idle();
    const caller = h.ami.addCaller('8008', { number: '74950003344' });
    await missRing('8008', caller);
    await missRing('8008', caller);
    expect(member('8008')).toMatchObject({ paused: false });
  });
});

describe('queue_log session lines', () => {
  it('writes AGENTLOGIN and AGENTLOGOFF under the member name for a toggle in and out', async () => {
    await start();
    await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE });
    await waitFor(() => h.ami.queueLog.length >= 1, 'AGENTLOGIN');
    await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE });
    await waitFor(() => h.ami.queueLog.length >= 2, 'AGENTLOGOFF');
    expect(h.ami.queueLog.map((l) => `${l.Queue} ${l.Event} ${l.Interface} ${l.Message}`)).toEqual([
      `8008 AGENTLOGIN Ivan Petrov ${IFACE}`,
      expect.stringMatching(new RegExp(`^8008 AGENTLOGOFF Ivan Petrov ${IFACE.replace(/[/.]/g, '\\$&')}\\|\\d+$`)),
    ]);
  });
});
