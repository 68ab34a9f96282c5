// Issue 6 end to end: state that stays true. The real app (FastAGI scripts, AMI
// client, sync) against the AMI double and a real Redis. Every test counts the
// members Asterisk and Redis hold before and after: none lost, none invented.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../lib/app.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/log.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listMemberRecords, recordChange, type MemberRecord } from '../../lib/members/records.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { memberAudit } from '../support/audit.ts';
import { beginIntent, listIntents } from '../../lib/store/intents.ts';
import { bindAgent, getPhoneAgent, listBindings } from '../../lib/agents/bindings.ts';
import { storeReady, type Store } from '../../lib/store/redis.ts';
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { freePort } from '../support/free-port.ts';

const IVAN = '79112223344';
const OLGA = '79210001122';
const IVAN_IF = `Local/${IVAN}@outbound-allroutes/n`;
const OLGA_IF = `Local/${OLGA}@outbound-allroutes/n`;
const lamp = (dev: string, queue: string) => `Custom:QUEUE${dev}*${queue}`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({ env: { TOGGLE_RATE_LIMIT: '1000', ...env } });
  cleanups.push(() => h.stop());
  await settled(h.app);
  return h;
}

/** The first re-sync has run and nothing is being settled. */
async function settled(app: App): Promise<void> {
  await waitFor(() => app.sync.status().lastResyncAt !== undefined, 'first re-sync');
  await app.sync.idle();
}

/** Members as `queue interface`, sorted: what Asterisk has (dynamic) and what Redis holds. */
async function census(ami: AmiDouble, store: Store): Promise<{ asterisk: string[]; redis: string[] }> {
  const asterisk = ami.members().filter((m) => m.membership === 'dynamic').map((m) => `${m.queue} ${m.interface}`).sort();
  const redis = (await listMemberRecords(store)).map((r) => `${r.queue} ${r.interface}`).sort();
  return { asterisk, redis };
}

async function allow(store: Store): Promise<void> {
  await allowNumber(store, '8008', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  await allowNumber(store, '8009', { number: IVAN, penalty: 5, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  await allowNumber(store, '8008', { number: OLGA, penalty: 3, name: 'Olga Ivanova' }, { source: 'cli', by: 'test' });
}

const toggle = (h: Harness, callerId: string, queues: string) => callFastAgi(h.port, { script: `queue-toggle?queue=${queues}&prompts=no`, callerId });

describe('state that stays true', () => {
  it('an Asterisk restart that loses all dynamic members: restored within 5 s of FullyBooted with penalty, name and pause intact', async () => {
    const h = await harness();
    const store = h.app.svc.store;
    await allow(store);
    expect((await toggle(h, IVAN, '8008,8009')).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect((await toggle(h, OLGA, '8008')).variables.QUEUESTAT).toBe('LOGGEDIN');
    h.ami.pauseMember('8008', IVAN_IF, true, 'lunch'); // from the GUI: tracked, then restored as it was
    h.ami.addMember('8009', 'PJSIP/1001', { name: 'Desk 1001', penalty: 1 }); // external: Asterisk's to lose
    await waitFor(async () => (await listMemberRecords(store, '8008')).some((r) => r.paused && r.reason === 'lunch'), 'pause tracked');
    await waitFor(async () => (await listMemberRecords(store, '8009')).length === 2, 'desk adopted');
    await h.app.sync.idle();
    const before = await census(h.ami, store);
    expect(before.asterisk).toHaveLength(4);
    expect(before.redis).toEqual(before.asterisk);
    const ours = before.asterisk.filter((m) => !m.includes('PJSIP'));
    expect(h.ami.deviceState(lamp('1001', '8009'))).toBe('INUSE');

    const bootDelayMs = 200;
    await h.ami.restart({ bootDelayMs }); // logins are accepted before FullyBooted, as while Asterisk boots
    expect(h.ami.members().filter((m) => m.membership === 'dynamic')).toEqual([]);
    const fullyBootedAt = Date.now() + bootDelayMs;
    await waitFor(() => h.ami.members().length === 3, 'members restored', 5000 + bootDelayMs);
    expect(Date.now() - fullyBootedAt).toBeLessThan(5000);
    await waitFor(async () => (await listMemberRecords(store)).length === 3, 'external record dropped');
    await h.app.sync.idle();

    const byKey = (queue: string, iface: string) => h.ami.members(queue).find((m) => m.interface === iface);
    expect(byKey('8008', IVAN_IF)).toMatchObject({ penalty: 2, name: 'Ivan Petrov', paused: true, pausedReason: 'lunch', membership: 'dynamic' });
    expect(byKey('8009', IVAN_IF)).toMatchObject({ penalty: 5, name: 'Ivan Petrov', paused: false });
    expect(byKey('8008', OLGA_IF)).toMatchObject({ penalty: 3, name: 'Olga Ivanova', paused: false });
    const after = await census(h.ami, store);
    expect(after.asterisk).toEqual(ours); // every member agentgate logged in is back, nothing else appeared
    expect(after.redis).toEqual(after.asterisk);
    expect(await listIntents(store)).toEqual([]);

    // The lamps follow: the desk lost its queue (Asterisk kept its lamp in astdb), the paused member shows paused.
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('ONHOLD');
    expect(h.ami.deviceState(lamp(IVAN, '8009'))).toBe('INUSE');
    expect(h.ami.deviceState(lamp(OLGA, '8008'))).toBe('INUSE');
    expect(h.ami.deviceState(lamp('1001', '8009'))).toBe('NOT_INUSE');
    const audit = (await readAudit(store)).filter((a) => a.source === 'resync');
    expect(audit.map((a) => `${a.action} ${a.queue} ${a.subject} ${a.by}`).sort()).toEqual([
      'logout 8009 PJSIP/1001 asterisk-restart',
      `restore 8008 ${IVAN} asterisk-restart`,
      `restore 8008 ${OLGA} asterisk-restart`,
      `restore 8009 ${IVAN} asterisk-restart`,
    ]);
  });

  it('with RESYNC_POLICY=forget, members lost in a restart are dropped from Redis, audited, and their lamps go out', async () => {
    const h = await harness({ RESYNC_POLICY: 'forget' });
    const store = h.app.svc.store;
    await allow(store);
    await toggle(h, IVAN, '8008');
    await h.app.sync.idle();
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('INUSE');
    await h.ami.restart();
    await waitFor(async () => (await listMemberRecords(store)).length === 0, 'record dropped');
    await h.app.sync.idle();
    expect(await census(h.ami, store)).toEqual({ asterisk: [], redis: [] });
    expect((await readAudit(store))[0]).toMatchObject({ action: 'logout', queue: '8008', source: 'resync', detail: 'no longer in Asterisk (RESYNC_POLICY=forget)' });
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('NOT_INUSE');
  });

  it("a member added and one removed behind the service's back: reflected in Redis and in the BLF state", async () => {
    const h = await harness();
    const store = h.app.svc.store;
    await allow(store);
    await toggle(h, IVAN, '8008');
    await h.app.sync.idle();
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('INUSE');
    const before = await census(h.ami, store);
    expect(before.redis).toEqual([`8008 ${IVAN_IF}`]);

    // The FreePBX GUI adds Olga to 8009 and removes Ivan from 8008.
    const t0 = Date.now();
    h.ami.addMember('8009', OLGA_IF, { name: 'Olga', penalty: 4 });
    h.ami.removeMember('8008', IVAN_IF);
    await waitFor(async () => {
      const recs = await listMemberRecords(store);
      return recs.length === 1 && recs[0]!.interface === OLGA_IF;
    }, 'Redis follows Asterisk', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    await h.app.sync.idle();
    expect(await listMemberRecords(store)).toEqual([
      expect.objectContaining({ queue: '8009', interface: OLGA_IF, subject: OLGA, kind: 'number', penalty: 4, name: 'Olga', source: 'external', paused: false }),
    ]);
    expect(h.ami.deviceState(lamp(OLGA, '8009'))).toBe('INUSE');
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('NOT_INUSE');

    // And a pause from the GUI.
    h.ami.pauseMember('8009', OLGA_IF, true, 'break');
    await waitFor(() => h.ami.deviceState(lamp(OLGA, '8009')) === 'ONHOLD', 'paused lamp');
    await h.app.sync.idle();
    expect(await listMemberRecords(store)).toMatchObject([{ paused: true, reason: 'break' }]);

    const after = await census(h.ami, store);
    expect(after.asterisk).toEqual([`8009 ${OLGA_IF}`]);
    expect(after.redis).toEqual(after.asterisk);
    // Each change once, with its source; the two interfaces are settled side by side, so in either order.
    const audit = await memberAudit(store);
    expect(audit.map((a) => `${a.action} ${a.queue} ${a.subject} ${a.source}`).sort()).toEqual([
      `adopt 8009 ${OLGA} asterisk`,
      `login 8008 ${IVAN} fastagi`,
      `logout 8008 ${IVAN} asterisk`,
      `pause 8009 ${OLGA} asterisk`,
    ]);
    expect(audit[0]).toMatchObject({ action: 'pause', detail: 'paused,reason changed in Asterisk paused (break)' });
  });

  it("agentgate's own changes are audited once and light the lamps, with no fight from their own events", async () => {
    const h = await harness();
    const store = h.app.svc.store;
    await allow(store);
    for (let i = 0; i < 4; i++) await toggle(h, IVAN, '8008,8009');
    expect((await toggle(h, IVAN, '8008,8009')).variables.QUEUESTAT).toBe('LOGGEDIN');
    await h.app.sync.idle();
    const audit = await memberAudit(store);
    expect(audit.map((a) => `${a.action} ${a.source}`)).toEqual(Array.from({ length: 5 }, (_, i) => (i % 2 === 0 ? 'login fastagi' : 'logout fastagi')).flatMap((x) => [x, x]));
    expect(await listMemberRecords(store)).toMatchObject([{ source: 'agentgate' }, { source: 'agentgate' }]);
    expect(h.ami.deviceState(lamp(IVAN, '8008'))).toBe('INUSE');
    expect(h.ami.deviceState(lamp(IVAN, '8009'))).toBe('INUSE');
    await toggle(h, IVAN, '8008,8009');
    await waitFor(() => h.ami.deviceState(lamp(IVAN, '8009')) === 'NOT_INUSE', 'lamp off');
    await h.app.sync.idle();
    expect(await census(h.ami, store)).toEqual({ asterisk: [], redis: [] });
  });

  it('a mobile restored after an Asterisk restart is again not rung while on a call (ring-in-use off), in a queue that rings busy members', async () => {
    const h = await startHarness({ queues: [{ name: '8008', ringinuse: true }], env: { TOGGLE_RATE_LIMIT: '1000', MOBILE_RING_IN_USE: 'no' } });
    cleanups.push(() => h.stop());
    await settled(h.app);
    await allowNumber(h.app.svc.store, '8008', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    expect((await toggle(h, IVAN, '8008')).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(h.ami.members('8008')).toMatchObject([{ interface: IVAN_IF, ringinuse: 0 }]);

    await h.ami.restart({ bootDelayMs: 100 });
    await waitFor(() => h.ami.members('8008').length === 1, 'member restored', 5000);
    await h.app.sync.idle();
    expect(h.ami.members('8008')).toMatchObject([{ interface: IVAN_IF, ringinuse: 0 }]);
  });

  it('an AMI drop during a toggle: the caller hears ERROR, and what Asterisk carried out unseen is rolled back', async () => {
    const h = await harness();
    const store = h.app.svc.store;
    await allow(store);
    const before = await census(h.ami, store);
    expect(before).toEqual({ asterisk: [], redis: [] });

    // The link dies as Asterisk receives the second QueueAdd: Asterisk carries
    // it out, agentgate never hears back and cannot undo anything while down.
    h.ami.onAction((a) => {
      if (a.Action === 'QueueAdd' && a.Queue === '8009') {
        h.ami.onAction(undefined);
        h.ami.dropConnections();
      }
    });
    const call = await toggle(h, IVAN, '8008,8009');
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'PBX_UNAVAILABLE', QUEUESTAT: 'ERROR' });
    // Nothing recorded as done that was not known to be done.
    expect(await listMemberRecords(store)).toEqual([]);

    // At the reconnect, the unfinished change is rolled back: the caller was told ERROR.
    await waitFor(async () => (await listIntents(store)).length === 0, 'intent rolled back');
    await h.app.sync.idle();
    expect(await census(h.ami, store)).toEqual({ asterisk: [], redis: [] });
    // The next toggle sees the truth: logged out, so in.
    expect((await toggle(h, IVAN, '8008,8009')).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(await census(h.ami, store)).toEqual({ asterisk: [`8008 ${IVAN_IF}`, `8009 ${IVAN_IF}`], redis: [`8008 ${IVAN_IF}`, `8009 ${IVAN_IF}`] });
  });

  it('a Redis restart mid-run: no crash, fail closed while it is away, correct answers afterwards', async () => {
    const redis = await ownRedis();
    const h = await harness({ REDIS_URL: redis.url, HEALTH_PORT: '0' });
    const store = h.app.svc.store;
    await storeReady(store);
    await settled(h.app);
    await allow(store);
    expect((await toggle(h, IVAN, '8008')).variables.QUEUESTAT).toBe('LOGGEDIN');
    await h.app.sync.idle();
    const before = await census(h.ami, store);
    expect(before.redis).toEqual([`8008 ${IVAN_IF}`]);

    await redis.kill(); // after a SAVE: a Redis with persistence, killed
    const down = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008&prompts=no', callerId: IVAN });
    expect(down.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'STORE_UNAVAILABLE' });
    expect(h.ami.members('8008')).toHaveLength(1); // Asterisk untouched
    const ready = await fetch(`http://127.0.0.1:${h.app.healthPort}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).reasons).toEqual([expect.stringMatching(/^Redis did not answer PING/)]);
    h.ami.addMember('8009', OLGA_IF, { name: 'Olga', penalty: 1 }); // missed while Redis is away

    await redis.start();
    await waitFor(async () => (await fetch(`http://127.0.0.1:${h.app.healthPort}/readyz`)).status === 200, 'ready again', 8000);
    await waitFor(async () => (await listMemberRecords(store)).length === 2, 're-sync after Redis came back', 5000);
    await h.app.sync.idle();
    expect(await census(h.ami, store)).toEqual({ asterisk: [`8008 ${IVAN_IF}`, `8009 ${OLGA_IF}`], redis: [`8008 ${IVAN_IF}`, `8009 ${OLGA_IF}`] });
    expect((await toggle(h, IVAN, '8008')).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect((await callFastAgi(h.port, { script: 'queue-status?queue=8008', callerId: IVAN })).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect((await toggle(h, IVAN, '8008')).variables.QUEUESTAT).toBe('LOGGEDIN');
    await h.app.sync.idle();
    const after = await census(h.ami, store);
    expect(after.asterisk).toEqual([`8008 ${IVAN_IF}`, `8009 ${OLGA_IF}`]);
    expect(after.redis).toEqual(after.asterisk);
  }, 40_000); // Redis is killed and restarted for real: generous on a loaded machine

  it('a service kill -9 between the Asterisk change and the Redis write: rolled back at the next start', async () => {
    const w = await afterAKill();
    const { ami, store } = w;
    const recordOf = (queue: string, iface: string, subject: string, penalty: number, name: string): MemberRecord =>
      ({ queue, interface: iface, subject, kind: 'number', penalty, name, since: Date.now(), source: 'agentgate', paused: false, reason: '' });

    // The previous life: Ivan logged in to 8008, fully recorded, lamp lit.
    ami.addMember('8008', IVAN_IF, { name: 'Ivan Petrov', penalty: 2 });
    await recordChange(store, { put: [recordOf('8008', IVAN_IF, IVAN, 2, 'Ivan Petrov')] });
    // It was killed twice over: during Olga's login to 8008 and 8009 (Asterisk added
    // her to 8008, nothing more) ...
    await beginIntent(store, { subject: OLGA, adds: [{ queue: '8008', interface: OLGA_IF }, { queue: '8009', interface: OLGA_IF }], removes: [] });
    ami.addMember('8008', OLGA_IF, { name: 'Olga Ivanova', penalty: 3 });
    // ... and during Ivan's logout (Asterisk removed him; Redis still has his record).
    await beginIntent(store, { subject: IVAN, adds: [], removes: [{ queue: '8008', interface: IVAN_IF }] });
    ami.removeMember('8008', IVAN_IF);
    const before = await census(ami, store);
    expect(before).toEqual({ asterisk: [`8008 ${OLGA_IF}`], redis: [`8008 ${IVAN_IF}`] });

    await w.restart();

    expect(await listIntents(store)).toEqual([]);
    const after = await census(ami, store);
    // Neither caller was told the change was done (the AGI died with the
    // service), so neither change stands: Olga's half-done login is taken out
    // of Asterisk, Ivan's half-done logout is put back as he was.
    expect(after.asterisk).toEqual([`8008 ${IVAN_IF}`]);
    expect(after.redis).toEqual(after.asterisk);
    expect(await listMemberRecords(store)).toMatchObject([{ subject: IVAN, source: 'agentgate', penalty: 2, name: 'Ivan Petrov' }]);
    expect(ami.members('8008')).toMatchObject([{ interface: IVAN_IF, penalty: 2, name: 'Ivan Petrov' }]);
    const audit = await readAudit(store);
    expect(audit.map((a) => `${a.action} ${a.queue} ${a.subject} ${a.source}`).sort()).toEqual([`login 8008 ${IVAN} resync`, `logout 8008 ${OLGA} resync`]);
    expect(ami.deviceState(lamp(OLGA, '8008'))).toBe('NOT_INUSE');
    expect(ami.deviceState(lamp(IVAN, '8008'))).toBe('INUSE');
  });

  it('a service kill -9 after an agent\'s binding moved and before the record: the binding is put back with the members', async () => {
    const w = await afterAKill();
    const { ami, store } = w;
    const DESK_A = 'Local/1001@from-internal/n';
    const DESK_B = 'Local/1002@from-internal/n';
    const agentRecord = (queue: string, iface: string, subject: string): MemberRecord =>
      ({ queue, interface: iface, subject, kind: 'agent', penalty: 0, name: subject, since: Date.now(), source: 'agentgate', paused: false, reason: '' });
    // 7001 was logged in at desk 1001. Its login at 1002 was killed after the
    // binding moved: Asterisk has the member at 1002 and none at 1001 any more.
    await recordChange(store, { put: [agentRecord('8008', DESK_A, '7001')] });
    await bindAgent(store, { agentId: '7001', phone: '1001', interface: DESK_A, since: 1000 });
    await beginIntent(store, {
      subject: '7001', adds: [{ queue: '8008', interface: DESK_B }], removes: [{ queue: '8008', interface: DESK_A, member: { penalty: 0, name: '7001', paused: false, reason: '' } }],
      binding: { agentId: '7001', was: { phone: '1001', interface: DESK_A, since: 1000 }, to: { phone: '1002', interface: DESK_B } },
    });
    ami.addMember('8008', DESK_B, { name: '7001', penalty: 0 });
    await bindAgent(store, { agentId: '7001', phone: '1002', interface: DESK_B, since: 2000 });
    // 7002 was logged in at desk 1003; its logout was killed after the unbind.
    await recordChange(store, { put: [agentRecord('8009', 'Local/1003@from-internal/n', '7002')] });
    await beginIntent(store, {
      subject: '7002', adds: [], removes: [{ queue: '8009', interface: 'Local/1003@from-internal/n', member: { penalty: 0, name: '7002', paused: false, reason: '' } }],
      binding: { agentId: '7002', was: { phone: '1003', interface: 'Local/1003@from-internal/n', since: 3000 }, to: null },
    });
    // 7003's login at 1004 was killed before its binding step: nothing of it to take back but the member.
    await beginIntent(store, {
      subject: '7003', adds: [{ queue: '8009', interface: 'Local/1004@from-internal/n' }], removes: [],
      binding: { agentId: '7003', was: null, to: { phone: '1004', interface: 'Local/1004@from-internal/n' } },
    });
    ami.addMember('8009', 'Local/1004@from-internal/n', { name: '7003', penalty: 0 });

    await w.restart();

    expect(await listIntents(store)).toEqual([]);
    // Neither agent was told anything had changed: both are where they were, bound and in their queues.
    expect(await census(ami, store)).toEqual({ asterisk: [`8008 ${DESK_A}`, '8009 Local/1003@from-internal/n'], redis: [`8008 ${DESK_A}`, '8009 Local/1003@from-internal/n'] });
    expect((await listBindings(store)).map((b) => `${b.agentId} ${b.phone} ${b.interface} ${b.since}`)).toEqual([
      `7001 1001 ${DESK_A} 1000`,
      '7002 1003 Local/1003@from-internal/n 3000',
    ]);
    expect(await getPhoneAgent(store, '1002')).toBeNull();
    expect((await readAudit(store)).filter((a) => a.action === 'rebind').map((a) => a.subject).sort()).toEqual(['7001', '7002']);
  });

  it('a service kill -9 after a logout\'s record and before its lamp: the phone key still lit goes dark at the next start', async () => {
    const hints = ['8008', '8009'].flatMap((q) => [IVAN, OLGA].map((n) => ({ exten: `*45${n}*${q}`, context: 'ext-queues', hint: lamp(n, q) })));
    const w = await afterAKill({ hints });
    const { ami, store } = w;
    // Ivan's logout from 8008 was recorded (no member, no record), its lamp never sent; Olga is logged in to 8008.
    ami.addMember('8008', OLGA_IF, { name: 'Olga Ivanova', penalty: 3 });
    await recordChange(store, { put: [{ queue: '8008', interface: OLGA_IF, subject: OLGA, kind: 'number', penalty: 3, name: 'Olga Ivanova', since: Date.now(), source: 'agentgate', paused: false, reason: '' }] });
    ami.setDeviceState(lamp(IVAN, '8008'), 'INUSE');
    ami.setDeviceState(lamp(OLGA, '8008'), 'INUSE');

    await w.restart();
    expect(ami.deviceState(lamp(IVAN, '8008'))).toBe('NOT_INUSE');
    expect(ami.deviceState(lamp(OLGA, '8008'))).toBe('INUSE');
  });

  it('health: /healthz while alive, /readyz 200 when ready and 503 with the reason when AMI is down', async () => {
    const h = await harness({ HEALTH_PORT: '0' });
    const base = `http://127.0.0.1:${h.app.healthPort}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'alive' });
    const ok = await fetch(`${base}/readyz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ready', ready: true, reasons: [], checks: { fastagi: true, ami: true, redis: true }, sync: { resyncing: false } });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/readyz`, { method: 'POST' })).status).toBe(405);

    await h.ami.refuse(true);
    h.ami.dropConnections();
    await waitFor(() => !h.app.svc.ami.connected, 'AMI down');
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'degraded', reasons: ['AMI is not logged in to Asterisk'], checks: { ami: false, redis: true } });
    await h.ami.refuse(false);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 'ready again', 5000);
  });
});

// A redis-server of this test's own, to kill and bring back (the shared one stays up).
/**
 * Redis and Asterisk as a killed service left them: the test writes that state,
 * then `restart` starts the service on them (what systemd does after a kill -9)
 * and waits until it has settled.
 */
async function afterAKill(o: { hints?: AmiDoubleOptions['hints'] } = {}): Promise<{ ami: AmiDouble; store: Store; restart(): Promise<App> }> {
  const redis = await testRedis();
  cleanups.push(() => redis.cleanup());
  const ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: ['8008', '8009'], ...(o.hints ? { hints: o.hints } : {}) });
  cleanups.push(() => ami.stop());
  return {
    ami,
    store: redis.store,
    async restart() {
      const config = loadConfig({
        FASTAGI_PORT: '0', AMI_PORT: String(ami.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret', AMI_ACTION_TIMEOUT_MS: '1000',
        REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, SHUTDOWN_GRACE_MS: '200',
      });
      const app = await startApp(config, silentLogger);
      cleanups.push(() => app.stop());
      await settled(app);
      return app;
    },
  };
}

async function ownRedis(): Promise<{ url: string; kill(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'agentgate-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await waitFor(async () => {
      const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }, 'redis-server up');
  };
  const kill = async (): Promise<void> => {
    const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
    c.on('error', () => undefined);
    await c.save();
    c.disconnect();
    const p = child;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  cleanups.push(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  return { url: `redis://127.0.0.1:${port}/0`, kill, start };
}

