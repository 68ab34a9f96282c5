// agentgate's own changes are not reconciled a second time when Asterisk
// echoes them as member events, yet their lamps are set; anyone else's change
// on the same member, even right after, is still tracked.
import { afterEach, describe, expect, it } from 'vitest';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listMemberRecords, recordChange } from '../../lib/members/records.ts';
import { listIntents } from '../../lib/store/intents.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const IVAN = '79112223344';
const IVAN_IF = `Local/${IVAN}@outbound-allroutes/n`;
const LAMP = `Custom:QUEUE${IVAN}*8008`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({ env: { TOGGLE_RATE_LIMIT: '1000', ...env } });
  cleanups.push(() => h.stop());
  await waitFor(() => h.app.sync.status().lastResyncAt !== undefined, 'first re-sync');
  await h.app.sync.idle();
  await allowNumber(h.app.svc.store, '8008', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  return h;
}

const toggle = (h: Harness, queues = '8008') => callFastAgi(h.port, { script: `queue-toggle?queue=${queues}&prompts=no`, callerId: IVAN });
/** QueueStatus actions that asked about Ivan's interface. */
const statusAsks = (h: Harness) => h.ami.actions.filter((a) => a.Action === 'QueueStatus' && a.Member === IVAN_IF).length;

describe('own changes are not reconciled twice', () => {
  it('a toggle in and out asks Asterisk nothing (the live model decides), lights and darkens the lamp, audits once', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    const asked = statusAsks(h);
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.ami.deviceState(LAMP) === 'INUSE', 'lamp lit');
    await h.app.sync.idle();
    await waitFor(() => h.app.live.model.membersAt(IVAN_IF).length === 1, 'the model to see the add');

    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDOUT');
    await waitFor(() => h.ami.deviceState(LAMP) === 'NOT_INUSE', 'lamp dark');
    await h.app.sync.idle();
    expect(statusAsks(h) - asked).toBe(0);

    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'logout fastagi']);
    expect(await listMemberRecords(h.app.svc.store)).toEqual([]);
  });

  it('a GUI pause right after an own login on the same interface is tracked: recorded, audited, lamp paused', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    const asked = statusAsks(h);
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    h.ami.pauseMember('8008', IVAN_IF, true, 'gui'); // before the tracker has settled the login's event
    await waitFor(async () => (await listMemberRecords(h.app.svc.store, '8008')).some((r) => r.paused && r.reason === 'gui'), 'pause tracked');
    await h.app.sync.idle();
    expect(statusAsks(h) - asked).toBe(1); // one reconcile, for the GUI's pause; the toggle decided from the live model
    expect(h.ami.deviceState(LAMP)).toBe('ONHOLD');
    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'pause asterisk']);
  });

  it('a GUI removal right after an own login is tracked: record dropped, lamp dark', async () => {
    const h = await harness();
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    h.ami.removeMember('8008', IVAN_IF);
    await waitFor(async () => (await listMemberRecords(h.app.svc.store)).length === 0, 'removal tracked');
    await h.app.sync.idle();
    expect(h.ami.deviceState(LAMP)).toBe('NOT_INUSE');
    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'logout asterisk']);
  });

  it('a member added behind the service\'s back, its event never seen, is toggled out: Asterisk\'s "Already there" sends the toggle to QueueStatus', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    h.ami.addMember('8008', IVAN_IF, { name: 'GUI', quiet: true });
    const asked = statusAsks(h);
    const call = await toggle(h);
    expect(call.variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect(h.ami.members('8008')).toEqual([]);
    // One QueueStatus, of this member in this queue only: not every queue's.
    expect(h.ami.actions.filter((a) => a.Action === 'QueueStatus' && a.Member === IVAN_IF).slice(asked)).toEqual([expect.objectContaining({ Queue: '8008' })]);
    await h.app.sync.idle();
    expect(await listMemberRecords(h.app.svc.store)).toEqual([]);
    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`)).toEqual(['logout fastagi']);
  });

  it('a member removed behind the service\'s back, its event never seen, is toggled in: "Not there" sends the toggle to QueueStatus', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.app.live.model.membersAt(IVAN_IF).length === 1, 'the model to see the add');
    await h.app.sync.idle();
    h.ami.removeMember('8008', IVAN_IF, { quiet: true });
    const asked = statusAsks(h);
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(h.ami.members('8008').map((m) => m.interface)).toEqual([IVAN_IF]);
    expect(statusAsks(h) - asked).toBe(1);
    await h.app.sync.idle();
    expect((await listMemberRecords(h.app.svc.store)).map((r) => r.interface)).toEqual([IVAN_IF]);
    expect(await h.app.svc.store.redis.hlen(h.app.svc.store.keys.intents())).toBe(0);
  });

  it('after an AMI reconnect, until the live model is rebuilt, a toggle asks Asterisk', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    h.ami.addMember('8008', IVAN_IF, { name: 'GUI', quiet: true });
    h.ami.dropConnections();
    await waitFor(() => !h.app.live.synced, 'the link down');
    expect(h.app.live.liveMembers([IVAN_IF])).toBeUndefined();
    await waitFor(() => h.app.svc.ami.connected, 'AMI back');
    // Whether or not the model is rebuilt yet, the toggle sees the member the events never told of.
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect(h.ami.members('8008')).toEqual([]);
  });

  it('a toggle in asks Asterisk for the add and its ring-in-use, in that order, once each; the lamp and the queue_log line follow', async () => {
    const h = await harness({ MOBILE_RING_IN_USE: 'no' });
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    const from = h.ami.actions.length;
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.ami.deviceState(LAMP) === 'INUSE', 'lamp lit');
    await h.app.sync.idle();
    expect(h.ami.actions.slice(from).map((a) => a.Action).sort()).toEqual(['QueueAdd', 'QueueLog', 'QueueMemberRingInUse', 'Setvar']);
    const order = h.ami.actions.slice(from).map((a) => a.Action);
    expect(order.indexOf('QueueAdd')).toBeLessThan(order.indexOf('QueueMemberRingInUse'));
    expect(h.ami.members('8008')[0]).toMatchObject({ interface: IVAN_IF, ringinuse: 0 });
  });

  it('a toggle in and out costs Redis two commands each (its start and its record), and nothing for the events it causes', async () => {
    const h = await harness();
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    await toggle(h); // scripts loaded, the first time sends their text
    await toggle(h);
    await h.app.sync.idle();
    const redis = h.app.svc.store.redis as unknown as { sendCommand: (c: { name: string }, ...rest: unknown[]) => unknown };
    const send = redis.sendCommand;
    const sent: string[] = [];
    redis.sendCommand = function (this: unknown, c: { name: string }, ...rest: unknown[]) {
      sent.push(c.name);
      return send.call(this, c, ...rest);
    };
    try {
      for (const want of ['LOGGEDIN', 'LOGGEDOUT']) {
        expect((await toggle(h)).variables.QUEUESTAT).toBe(want);
        await waitFor(() => h.ami.deviceState(LAMP) === (want === 'LOGGEDIN' ? 'INUSE' : 'NOT_INUSE'), 'the lamp');
        await h.app.sync.idle();
        await new Promise((r) => setTimeout(r, 100)); // the audit tail has seen the entries
      }
    } finally {
      redis.sendCommand = send;
    }
    expect(sent).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha']);
  });

  it('a toggle of two queues, one joined behind the service\'s back (its event never seen), logs the number out of both', async () => {
    const h = await harness();
    await allowNumber(h.app.svc.store, '8009', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.app.live.model.membersAt(IVAN_IF).length === 1, 'the model to see the add');
    h.ami.addMember('8009', IVAN_IF, { name: 'GUI', quiet: true });
    // The model says 8008 in, 8009 out: nothing would be sent to 8009, so nothing would check it.
    expect((await toggle(h, '8008,8009')).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect(h.ami.members('8008')).toEqual([]);
    expect(h.ami.members('8009')).toEqual([]);
  });

  it('a logout decided from a model found behind, whose second attempt fails, leaves no intent that would put back a queue already left', async () => {
    const h = await harness();
    await allowNumber(h.app.svc.store, '8009', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    await waitFor(() => h.app.live.synced, 'live model rebuilt');
    expect((await toggle(h, '8008,8009')).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.app.live.model.membersAt(IVAN_IF).length === 2, 'the model to see the adds');
    await h.app.sync.idle();
    // Another instance logged it out of 8009 and recorded it; this one has not seen the event yet.
    h.ami.removeMember('8009', IVAN_IF, { quiet: true });
    await recordChange(h.app.svc.store, { remove: [{ queue: '8009', interface: IVAN_IF }] });
    // The second attempt's QueueStatus goes unanswered: the AMI link drops.
    let armed = false;
    h.ami.onAction((a) => {
      if (a.Action === 'QueueRemove' && a.Queue === '8009') armed = true;
      else if (armed && a.Action === 'QueueStatus') {
        armed = false;
        h.ami.onAction(undefined);
        h.ami.dropConnections();
      }
    });
    const r = await callFastAgi(h.port, { script: 'queue-logout?queue=8008,8009&prompts=no', callerId: IVAN });
    expect(r.variables.AGENTGATE_RESULT).toBe('ERROR');
    await waitFor(() => h.app.svc.ami.connected, 'AMI back');
    await waitFor(() => h.app.sync.status().lastResyncAt !== undefined && !h.app.sync.status().resyncing, 'the re-sync');
    await h.app.sync.resync('test');
    await h.app.sync.idle();
    expect(await listIntents(h.app.svc.store)).toEqual([]);
    // Told ERROR: as before the call, in 8008 and not in 8009.
    expect(h.ami.members('8008').map((m) => m.interface)).toEqual([IVAN_IF]);
    expect(h.ami.members('8009')).toEqual([]);
  });
});
