// Numbers over real HTTP: logged in and out through the queue domain (the
// same locks, all-or-nothing and audit entries as queue-login), their live
// state, refusals, and malformed requests refused before anything changes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { memberAudit } from '../support/audit.ts';
import { READ_TOKEN, startApiHarness, waitFor, type ApiHarness } from './support.ts';

const MOBILE = '79112223344';
const IFACE = `Local/${MOBILE}@outbound-allroutes/n`;
let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
  await allowNumber(h.app.svc.store, '8008', { number: MOBILE, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  await allowNumber(h.app.svc.store, '8009', { number: MOBILE, penalty: 5, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
});
afterEach(() => h.stop());

const store = () => h.app.svc.store;
const inAsterisk = () => h.ami.members().filter((m) => m.interface === IFACE).map((m) => `${m.queue} ${m.penalty} ${m.name}`).sort();

describe('logging a number in and out', () => {
  it('logs in with the allowlist penalty and name, audited under the token name, and shows it logged in', async () => {
    const res = await h.req('POST', '/numbers/+7 (911) 222-33-44/login', { body: { queues: ['8008', '8009'] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      number: MOBILE, state: 'LOGGEDIN', interface: IFACE,
      queues: [{ queue: '8008', before: 'out', after: 'in' }, { queue: '8009', before: 'out', after: 'in' }],
    });
    expect(inAsterisk()).toEqual(['8008 2 Ivan Petrov', '8009 5 Ivan Petrov']);
    expect((await listMemberRecords(store())).map((r) => r.queue).sort()).toEqual(['8008', '8009']);
    expect((await memberAudit(store())).map((a) => `${a.action} ${a.queue} ${a.result} ${a.source} ${a.by}`).sort())
      .toEqual(['login 8008 OK api supervisor', 'login 8009 OK api supervisor']);

    const state = await h.req('GET', `/numbers/${MOBILE}`, { token: READ_TOKEN });
    expect(state.body).toMatchObject({ number: MOBILE, agent: null, loggedIn: true });
    expect(state.body.members.map((m: { queue: string; penalty: number; status: string; paused: boolean }) => `${m.queue} ${m.penalty} ${m.status} ${m.paused}`))
      .toEqual(['8008 2 not-in-use false', '8009 5 not-in-use false']);
    expect((await h.req('GET', '/numbers', { token: READ_TOKEN })).body).toEqual([state.body]);
  });

  it('logs out of the queues named, or of every queue when none are', async () => {
    await h.req('POST', `/numbers/${MOBILE}/login`, { body: { queues: ['8008', '8009'] } });
    const one = await h.req('POST', `/numbers/${MOBILE}/logout`, { body: { queues: ['8009'] } });
    expect(one.body).toMatchObject({ state: 'LOGGEDOUT', queues: [{ queue: '8009', before: 'in', after: 'out' }] });
    expect(inAsterisk()).toEqual(['8008 2 Ivan Petrov']);
    const all = await h.req('POST', `/numbers/${MOBILE}/logout`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ state: 'LOGGEDOUT', queues: [{ queue: '8008', before: 'in', after: 'out' }] });
    expect(inAsterisk()).toEqual([]);
    await waitFor(async () => (await h.req('GET', `/numbers/${MOBILE}`)).body.loggedIn === false, 'the model to see the logout');
  });

  it('refuses a number not on the list with 409 NOT_AUTHORIZED, adds nothing, and audits the refusal', async () => {
    const res = await h.req('POST', '/numbers/79990001122/login', { body: { queues: ['8008'] } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NOT_AUTHORIZED');
    expect(h.ami.members('8008')).toEqual([]);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'login', subject: '79990001122', result: 'REFUSED', source: 'api', by: 'supervisor' });
  });

  it('answers 404 NO_SUCH_QUEUE for a queue Asterisk does not have, with nothing left behind', async () => {
    await allowNumber(store(), 'nosuch', { number: MOBILE, penalty: 0, name: 'Ivan' }, { source: 'cli', by: 'test' });
    const res = await h.req('POST', `/numbers/${MOBILE}/login`, { body: { queues: ['8008', 'nosuch'] } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NO_SUCH_QUEUE');
    expect(inAsterisk()).toEqual([]);
    expect(await listMemberRecords(store())).toEqual([]);
  });

  it('answers 503 PBX_UNAVAILABLE while Asterisk is away', async () => {
    await h.ami.refuse(true);
    h.ami.dropConnections();
    await waitFor(() => !h.app.svc.ami.connected, 'AMI down');
    const res = await h.req('POST', `/numbers/${MOBILE}/login`, { body: { queues: ['8008'] } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('PBX_UNAVAILABLE');
    const read = await h.req('GET', '/queues', { token: READ_TOKEN });
    expect(read.status).toBe(503);
    expect(read.body.error.code).toBe('NOT_SYNCED');
    await h.ami.refuse(false);
  });
});

describe('malformed requests', () => {
  it('are refused with 400 (or 413/415) and a JSON error, and change nothing', async () => {
    const before = { actions: h.ami.actions.length, keys: (await h.redis.redis.keys(`${h.redis.prefix}*`)).sort() };
    const cases: Array<[string, Parameters<ApiHarness['req']>[2], number, string]> = [
      [`/numbers/${MOBILE}/login`, { body: {} }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: '8008' } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: [] } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: ['8008', '8008'] } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: ['8008\r\nAction: Logoff'] } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: ['8008'], penalty: 0 } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { body: { queues: ['8008'], context: 'a b' } }, 400, 'BAD_PARAMS'],
      [`/numbers/${MOBILE}/login`, { rawBody: '{"queues": ["8008"' }, 400, 'BAD_JSON'],
      [`/numbers/${MOBILE}/login`, { rawBody: 'queues=8008', contentType: 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [`/numbers/${MOBILE}/login`, { body: { queues: ['8008'], context: 'x'.repeat(20_000) } }, 413, 'BODY_TOO_LARGE'],
      ['/numbers/anonymous/login', { body: { queues: ['8008'] } }, 400, 'INVALID_NUMBER'],
      ['/numbers/12/login', { body: { queues: ['8008'] } }, 400, 'INVALID_NUMBER'],
    ];
    for (const [path, o, status, code] of cases) {
      const res = await h.req('POST', path, o);
      expect(res.status, JSON.stringify(o)).toBe(status);
      expect(res.body, JSON.stringify(o)).toEqual({ error: { code, message: expect.any(String) } });
    }
    for (const [method, path, o] of [
      ['PUT', `/allowlists/8008/numbers/${MOBILE}`, { body: { penalty: '5' } }],
      ['PUT', `/allowlists/8008/numbers/${MOBILE}`, { body: { penalty: 1001 } }],
      ['PUT', `/allowlists/8008/numbers/${MOBILE}`, { body: { name: 'A;B' } }],
      ['PUT', '/allowlists/8008/policy', { body: { policy: 'everyone' } }],
      ['PUT', '/allowlists/bad queue/policy', { body: { policy: 'open' } }],
      ['POST', '/agents/x7/pause', { body: {} }],
      ['POST', '/agents/7/pause', { body: { reason: 'out to lunch' } }],
      ['GET', '/audit?count=abc', {}],
      ['GET', '/audit?count=0', {}],
      ['GET', '/events?queues=8008,bad%20name', {}],
    ] as const) {
      const res = await h.req(method, path, o);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code, `${method} ${path}`).toBe('BAD_PARAMS');
    }
    expect(h.ami.actions.slice(before.actions).map((a) => a.Action)).toEqual([]);
    expect((await h.redis.redis.keys(`${h.redis.prefix}*`)).sort()).toEqual(before.keys);
    expect((await h.req('GET', '/allowlists/8008')).body.numbers).toEqual([{ number: MOBILE, penalty: 2, name: 'Ivan Petrov' }]);
  });
});

describe('pausing a number', () => {
  it('pauses a logged-in number with a reason and unpauses it, audited under the token name; refuses one in no queue', async () => {
    const refused = await h.req('POST', `/numbers/${MOBILE}/pause`, { body: { reason: 'lunch' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NOT_LOGGED_IN');
    await h.req('POST', `/numbers/${MOBILE}/login`, { body: { queues: ['8008', '8009'] } });
    const p = await h.req('POST', `/numbers/${MOBILE}/pause`, { body: { queue: '8009', reason: 'lunch' } });
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ number: MOBILE, interface: IFACE, paused: true, reason: 'lunch', queues: ['8008', '8009'], pausedQueues: ['8009'] });
    expect(h.ami.members('8009').find((m) => m.interface === IFACE)).toMatchObject({ paused: true, pausedReason: 'lunch' });
    const u = await h.req('POST', `/numbers/${MOBILE}/unpause`, { body: {} });
    expect(u.body).toMatchObject({ paused: false, pausedQueues: [] });
    expect(h.ami.members().filter((m) => m.interface === IFACE && m.paused)).toEqual([]);
    expect((await readAudit(store(), { count: 5 })).filter((a) => /pause/.test(a.action)).map((a) => `${a.action} ${a.source} ${a.by}`))
      .toEqual(['unpause api supervisor', 'pause api supervisor']);
    const bad = await h.req('POST', `/numbers/${MOBILE}/pause`, { body: { reason: 'out to lunch' } });
    expect(bad.status).toBe(400);
  });
});
