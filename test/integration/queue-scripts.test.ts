// Issue 4 end to end: the real scripts through the FastAGI double and the AMI
// double, against a real Redis.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowNumber, setPolicy } from '../../lib/queues/allowlist.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { memberAudit } from '../support/audit.ts';
import { listIntents } from '../../lib/store/intents.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const MOBILE = '79112223344';
const IFACE = `Local/${MOBILE}@outbound-allroutes/n`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ env: { TOGGLE_RATE_LIMIT: '1000' } });
  await allowNumber(h.app.svc.store, '8008', { number: MOBILE, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  await allowNumber(h.app.svc.store, '8009', { number: MOBILE, penalty: 5, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
});
afterEach(() => h.stop());

const store = () => h.app.svc.store;
const inAsterisk = (queue: string) => h.ami.members(queue).filter((m) => m.interface === IFACE);
const actionsNamed = (name: string) => h.ami.actions.filter((a) => a.Action === name);

describe('queue-login / queue-logout', () => {
  it('logs an authorized mobile in with the penalty and name from the list, then out', async () => {
    const login = await callFastAgi(h.port, { script: 'queue-login?queue=8008', callerId: `+${MOBILE}` });
    expect(login.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', QUEUESTAT: 'LOGGEDIN', AGENTGATE_NUMBER: MOBILE, AGENTGATE_QUEUES: '8008' });
    expect(login.played).toEqual(['agent-loginok']);
    expect(login.said).toEqual([MOBILE]);
    expect(inAsterisk('8008')).toMatchObject([{ interface: IFACE, penalty: 2, name: 'Ivan Petrov', membership: 'dynamic' }]);
    expect(await listMemberRecords(store(), '8008')).toMatchObject([{ interface: IFACE, subject: MOBILE, penalty: 2, source: 'agentgate' }]);

    const logout = await callFastAgi(h.port, { script: 'queue-logout?queue=8008', callerId: MOBILE });
    expect(logout.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', QUEUESTAT: 'LOGGEDOUT', AGENTGATE_QUEUES: '' });
    expect(logout.played).toEqual(['agent-loggedoff']);
    expect(inAsterisk('8008')).toEqual([]);
    expect(await listMemberRecords(store(), '8008')).toEqual([]);
    const audit = await memberAudit(store());
    expect(audit.map((a) => `${a.action} ${a.result} ${a.queue}`)).toEqual(['logout OK 8008', 'login OK 8008']);
  });

  it('treats a member already in Asterisk (added from the GUI) as logged in, not as an error', async () => {
    h.ami.addMember('8008', IFACE, { name: 'Ivan Petrov', penalty: 2 });
    const login = await callFastAgi(h.port, { script: 'queue-login?queue=8008', callerId: MOBILE });
    expect(login.variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect(actionsNamed('QueueAdd')).toHaveLength(0);
    expect(inAsterisk('8008')).toHaveLength(1);
  });
});

describe('queue-toggle', () => {
  it('toggles in, then out, in several queues at once', async () => {
    const first = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008,8009', callerId: MOBILE });
    expect(first.variables).toMatchObject({ QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008,8009' });
    expect(inAsterisk('8009')).toMatchObject([{ penalty: 5 }]);
    const second = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008,8009', callerId: MOBILE });
    expect(second.variables).toMatchObject({ QUEUESTAT: 'LOGGEDOUT', AGENTGATE_QUEUES: '' });
    expect([...inAsterisk('8008'), ...inAsterisk('8009')]).toEqual([]);
    expect(await listMemberRecords(store())).toEqual([]);
  });

  it('joins every queue of a list the dialplan wrote with commas, which AGI() split into arguments', async () => {
    // AGI(agi://host/queue-toggle?queue=8008,8009&prompts=no) as Asterisk sends it.
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', args: ['8009&prompts=no'], callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008,8009' });
    expect(call.played).toEqual([]);
    expect(inAsterisk('8008')).toHaveLength(1);
    expect(inAsterisk('8009')).toHaveLength(1);
  });

  it('refuses a split list it cannot read whole and changes nothing', async () => {
    // A quote Asterisk stripped or a stray argument leaves a name no queue can have.
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', args: ['80 09'], callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'BAD_PARAMS', QUEUESTAT: 'ERROR' });
    expect(h.ami.members()).toEqual([]);
    expect(actionsNamed('QueueAdd')).toEqual([]);
  });

  it('leaves the prompts to the dialplan with prompts=no', async () => {
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008&prompts=no', callerId: MOBILE });
    expect(call.variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(call.played).toEqual([]);
    expect(call.said).toEqual([]);
  });

  it('refuses a stranger: pbx-invalid, nothing added, the refusal audited', async () => {
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: '79990001122' });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_AUTHORIZED', QUEUESTAT: 'REFUSED' });
    expect(call.played).toEqual(['pbx-invalid']);
    expect(actionsNamed('QueueAdd')).toHaveLength(0);
    expect(h.ami.members('8008')).toEqual([]);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'login', subject: '79990001122', result: 'REFUSED', detail: 'NOT_AUTHORIZED' });
  });

  it('lets a stranger in only when the queue is explicitly open', async () => {
    await setPolicy(store(), '8008', 'open', { source: 'cli', by: 'test' });
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: '79990001122' });
    expect(call.variables.QUEUESTAT).toBe('LOGGEDIN');
  });

  it.each([
    ['anonymous'],
    ['79112223344\r\nAction: Command'],
    ['7911abc2233'],
  ])('refuses caller ID %j before anything reaches AMI or Redis', async (callerId) => {
    // The service's own re-sync at start reads QueueStatus: only what this call sends counts.
    await waitFor(() => h.app.sync.status().lastResyncAt !== undefined, 'first re-sync');
    await h.app.sync.idle();
    const actionsBefore = h.ami.actions.length;
    const keysBefore = await h.redis.redis.keys(`${h.redis.prefix}*`);
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'INVALID_NUMBER', QUEUESTAT: 'REFUSED' });
    expect(call.played).toEqual(['pbx-invalid']);
    expect(h.ami.actions.slice(actionsBefore).filter((a) => a.Action !== 'Login' && a.Action !== 'Ping' && a.Action !== 'Events' && a.Action !== 'Filter')).toEqual([]);
    expect((await h.redis.redis.keys(`${h.redis.prefix}*`)).sort()).toEqual(keysBefore.sort());
    expect(call.sent.join('')).not.toMatch(/Action: Command/);
  });

  it('keeps the change when the caller hangs up during the prompt', async () => {
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE, hangupAt: { command: /^STREAM FILE/ } });
    expect(call.variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(call.said).toEqual([]);
    expect(inAsterisk('8008')).toHaveLength(1);
    expect(await listMemberRecords(store(), '8008')).toHaveLength(1);
  });

  it('with AMI down: a clear failure, QUEUESTAT=ERROR, nothing recorded', async () => {
    await h.ami.refuse(true);
    h.ami.dropConnections();
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'PBX_UNAVAILABLE', QUEUESTAT: 'ERROR' });
    expect(call.played).toEqual(['an-error-has-occurred']);
    expect(await listMemberRecords(store())).toEqual([]);
    expect(await listIntents(store())).toEqual([]);
  });

  it('undoes the queues already joined when a later one fails, so nothing is half done', async () => {
    await allowNumber(store(), 'nosuchqueue', { number: MOBILE, penalty: 0, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    const call = await callFastAgi(h.port, { script: 'queue-login?queue=8008,nosuchqueue', callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'NO_SUCH_QUEUE' });
    expect(inAsterisk('8008')).toEqual([]);
    expect(await listMemberRecords(store())).toEqual([]);
    expect(await listIntents(store())).toEqual([]);
  });

  it('ends consistent after 50 concurrent toggles of one number', async () => {
    const calls = await Promise.all(Array.from({ length: 50 }, () => callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE })));
    const results = calls.map((c) => c.variables.QUEUESTAT);
    expect(results.filter((r) => r === 'LOGGEDIN')).toHaveLength(25);
    expect(results.filter((r) => r === 'LOGGEDOUT')).toHaveLength(25);
    expect(inAsterisk('8008')).toEqual([]);
    expect(await listMemberRecords(store())).toEqual([]);
    expect(await listIntents(store())).toEqual([]);
  });
});

describe('queue-status', () => {
  it('answers LOGGEDIN, LOGGEDOUT, STATIC and NOQUEUES from what Asterisk has', async () => {
    expect((await callFastAgi(h.port, { script: 'queue-status', callerId: MOBILE })).variables.QUEUESTAT).toBe('NOQUEUES');
    expect((await callFastAgi(h.port, { script: 'queue-status?queue=8008', callerId: MOBILE })).variables.QUEUESTAT).toBe('LOGGEDOUT');
    await callFastAgi(h.port, { script: 'queue-login?queue=8009', callerId: MOBILE });
    const st = await callFastAgi(h.port, { script: 'queue-status', callerId: MOBILE });
    expect(st.variables).toMatchObject({ QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: '8009' });
    expect(st.played).toEqual([]);
    expect((await callFastAgi(h.port, { script: 'queue-status?queue=8008', callerId: MOBILE })).variables.QUEUESTAT).toBe('LOGGEDOUT');
    h.ami.addMember('8008', 'Local/1001@from-queue/n', { name: 'Desk 1001', penalty: 0, membership: 'static' });
    const desk = await callFastAgi(h.port, { script: 'queue-status?queue=8008&context=from-queue', callerId: '1001' });
    expect(desk.variables).toMatchObject({ QUEUESTAT: 'STATIC', AGENTGATE_STATIC_QUEUES: '8008' });
  });
});

describe('Redis down', () => {
  it('fails closed with STORE_UNAVAILABLE and adds nobody', async () => {
    await h.stop();
    h = await startHarness({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'STORE_UNAVAILABLE', QUEUESTAT: 'ERROR' });
    expect(call.played).toEqual(['an-error-has-occurred']);
    expect(h.ami.members('8008')).toEqual([]);
  });
});

describe('wrap-up per number', () => {
  it('a number allowed with a wrap-up time joins with it as its Wrapuptime; without one, the queue decides', async () => {
    await allowNumber(store(), '8008', { number: MOBILE, penalty: 2, name: 'Ivan Petrov', wrapup: 30 }, { source: 'cli', by: 'test' });
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008,8009', callerId: MOBILE });
    expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN' });
    expect(inAsterisk('8008')).toMatchObject([{ wrapuptime: 30 }]);
    expect(inAsterisk('8009')).toMatchObject([{ wrapuptime: 0 }]);
    expect(actionsNamed('QueueAdd').map((a) => a.Wrapuptime)).toEqual(['30', undefined]);
  });
});
