// Agents over real HTTP: state (where, paused why, on a call with whom) and
// the agent flows of lib/agents (login at a phone, pause with a reason,
// unpause, logout, forced logout), audited under the token's name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { getAgentBinding } from '../../lib/agents/bindings.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { READ_TOKEN, startApiHarness, waitFor, type ApiHarness } from './support.ts';

const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
const DESK = '1001';
const DESK_IFACE = `Local/${DESK}@outbound-allroutes/n`;
let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
  await createAgent(h.app.svc.store, { id: '7001', name: 'Ivan Petrov', pin: '86420', queues: [{ queue: '8008', penalty: 2 }, { queue: '8009', penalty: 5 }] }, FAST);
  await createAgent(h.app.svc.store, { id: '7002', name: 'Anna Smirnova', pin: '13579', queues: [{ queue: '8008', penalty: 0 }] }, FAST);
});
afterEach(() => h.stop());

const store = () => h.app.svc.store;
const agent = async (id: string) => (await h.req('GET', `/agents/${id}`, { token: READ_TOKEN })).body;
const auditLines = async () => (await readAudit(store(), { count: 100 })).reverse().map((a) => `${a.action} ${a.subject} ${a.queue ?? '-'} ${a.result} ${a.source} ${a.by}`);

describe('agent state and actions', () => {
  it('logs an agent in at a phone, pauses it with a reason, unpauses it and logs it out, each visible and audited', async () => {
    expect(await agent('7001')).toMatchObject({ id: '7001', name: 'Ivan Petrov', loggedIn: false, status: 'LOGGEDOUT', members: [], phone: null });

    const login = await h.req('POST', '/agents/7001/login', { body: { phone: DESK } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ agentId: '7001', phone: DESK, interface: DESK_IFACE, already: false, movedFrom: null });
    expect(h.ami.members().filter((m) => m.interface === DESK_IFACE).map((m) => `${m.queue} ${m.penalty} ${m.name}`).sort())
      .toEqual(['8008 2 Ivan Petrov', '8009 5 Ivan Petrov']);
    expect(await getAgentBinding(store(), '7001')).toMatchObject({ phone: DESK, interface: DESK_IFACE });
    const state = await agent('7001');
    expect(state).toMatchObject({ loggedIn: true, phone: DESK, interface: DESK_IFACE, status: 'AVAILABLE', since: expect.any(Number) });
    expect(state.members.map((m: { queue: string; agent: string }) => `${m.queue} ${m.agent}`)).toEqual(['8008 7001', '8009 7001']);

    const pause = await h.req('POST', '/agents/7001/pause', { body: { reason: 'lunch' } });
    expect(pause.body).toMatchObject({ agentId: '7001', paused: true, reason: 'lunch', status: 'PAUSED', pausedQueues: ['8008', '8009'] });
    await waitFor(async () => (await agent('7001')).status === 'PAUSED', 'the model to see the pause');
    expect((await agent('7001')).members.map((m: { paused: boolean; reason: string }) => `${m.paused} ${m.reason}`)).toEqual(['true lunch', 'true lunch']);

    const unpause = await h.req('POST', '/agents/7001/unpause', { body: { queue: '8009' } });
    expect(unpause.body).toMatchObject({ paused: false, reason: '', queues: ['8008', '8009'], pausedQueues: ['8008'] });

    const logout = await h.req('POST', '/agents/7001/logout');
    expect(logout.body).toEqual({ agentId: '7001', wasLoggedIn: true, phone: DESK, removed: ['8008', '8009'] });
    expect(h.ami.members()).toEqual([]);
    expect(await agent('7001')).toMatchObject({ loggedIn: false, status: 'LOGGEDOUT', members: [] });
    expect(await auditLines()).toEqual([
      'login 7001 8008 OK api supervisor',
      'login 7001 8009 OK api supervisor',
      'pause 7001 - OK api supervisor',
      'unpause 7001 8009 OK api supervisor',
      'logout 7001 8008 OK api supervisor',
      'logout 7001 8009 OK api supervisor',
    ]);
  });

  it('a second login of a paused agent at the same phone lifts the pause in every queue', async () => {
    expect((await h.req('POST', '/agents/7001/login', { body: { phone: DESK } })).status).toBe(200);
    expect((await h.req('POST', '/agents/7001/pause', { body: { reason: 'lunch' } })).body).toMatchObject({ paused: true });
    const again = await h.req('POST', '/agents/7001/login', { body: { phone: DESK } });
    expect(again.status).toBe(200);
    expect(h.ami.members().filter((m) => m.interface === DESK_IFACE).map((m) => `${m.queue} ${m.paused}`).sort()).toEqual(['8008 false', '8009 false']);
    const audit = (await readAudit(store(), { count: 3 })).map((a) => `${a.action} ${a.queue ?? '-'}`).sort();
    expect(audit).toEqual(['login -', 'unpause 8008', 'unpause 8009']);
  });

  it('shows an agent on a call with the caller number', async () => {
    await h.req('POST', '/agents/7001/login', { body: { phone: DESK } });
    const uid = h.ami.addCaller('8008', { number: '74950001122', name: 'Customer' });
    h.ami.answerCall('8008', uid, DESK_IFACE);
    await waitFor(async () => (await agent('7001')).status === 'ONCALL', 'the agent on the call');
    const onCall = (await agent('7001')).members.find((m: { queue: string }) => m.queue === '8008');
    expect(onCall).toMatchObject({ status: 'in-use', inCall: true, call: { remote: '74950001122', remoteName: 'Customer', uniqueid: uid } });
    expect((await h.req('GET', '/agents', { token: READ_TOKEN })).body.map((a: { id: string; status: string }) => `${a.id} ${a.status}`)).toEqual(['7001 ONCALL', '7002 LOGGEDOUT']);
  });

  it('refuses a phone another agent holds with 409 PHONE_TAKEN, changing nothing', async () => {
    await h.req('POST', '/agents/7001/login', { body: { phone: DESK } });
    const res = await h.req('POST', '/agents/7002/login', { body: { phone: DESK } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('PHONE_TAKEN');
    expect(await getAgentBinding(store(), '7002')).toBeNull();
    expect(h.ami.members('8008').map((m) => m.name)).toEqual(['Ivan Petrov']);
  });

  it('logs an agent out by force from what Asterisk has even when Redis lost it', async () => {
    h.ami.addMember('8008', 'Local/1005@outbound-allroutes/n', { name: 'Anna Smirnova' });
    const res = await h.req('POST', '/agents/7002/force-logout');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agentId: '7002', removed: [{ queue: '8008', interface: 'Local/1005@outbound-allroutes/n' }] });
    expect(h.ami.members('8008')).toEqual([]);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'force-logout', subject: '7002', source: 'api', by: 'supervisor' });
  });

  it('answers 404 AGENT_NOT_FOUND for an agent that does not exist, and 409 NOT_LOGGED_IN to pause one logged out', async () => {
    for (const [method, path] of [['GET', '/agents/999'], ['POST', '/agents/999/login'], ['POST', '/agents/999/logout'], ['POST', '/agents/999/pause']] as const) {
      const res = await h.req(method, path, method === 'POST' ? { body: path.endsWith('login') ? { phone: DESK } : {} } : {});
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('AGENT_NOT_FOUND');
    }
    const res = await h.req('POST', '/agents/7001/pause', { body: { reason: 'lunch' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_LOGGED_IN');
    expect(h.ami.actions.filter((a) => a.Action === 'QueuePause')).toEqual([]);
  });
});
