// Queues over real HTTP: members with their state and the callers waiting,
// as the live model keeps them from AMI events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_TOKEN, startApiHarness, waitFor, type ApiHarness } from './support.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h.stop());

const get = async (path: string) => (await h.req('GET', path, { token: READ_TOKEN })).body;

describe('queues', () => {
  it('lists every queue Asterisk has, with members, pauses and waiting callers', async () => {
    h.ami.addMember('8008', 'PJSIP/1001', { name: 'Desk 1001', penalty: 1 });
    h.ami.addMember('8008', 'Local/79112223344@outbound-allroutes/n', { name: 'Mobile', paused: true, reason: 'lunch' });
    const first = h.ami.addCaller('8008', { number: '74950001122', name: 'Customer' });
    h.ami.addCaller('8008', { number: '74950003344', name: 'Customer2' });
    await waitFor(async () => (await get('/queues/8008')).callers === 2, 'two callers');

    const q = await get('/queues/8008');
    expect(q).toMatchObject({ queue: '8008', loggedIn: 2, available: 1, paused: 1, callers: 2 });
    expect(q.waiting.map((c: { number: string; position: number }) => `${c.position} ${c.number}`)).toEqual(['1 74950001122', '2 74950003344']);
    expect(q.members.map((m: { interface: string; number: string; paused: boolean; reason: string }) => `${m.interface} ${m.number} ${m.paused} ${m.reason}`)).toEqual([
      'Local/79112223344@outbound-allroutes/n 79112223344 true lunch',
      'PJSIP/1001 1001 false ',
    ]);
    expect((await get('/queues')).map((x: { queue: string; loggedIn: number }) => `${x.queue} ${x.loggedIn}`)).toEqual(['8008 2', '8009 0']);

    h.ami.abandonCaller('8008', first);
    await waitFor(async () => (await get('/queues/8008')).callers === 1, 'one caller left');
    expect((await get('/queues/8008')).waiting).toMatchObject([{ number: '74950003344', position: 1 }]);
  });

  it('answers 404 NO_SUCH_QUEUE for a queue Asterisk does not have', async () => {
    const res = await h.req('GET', '/queues/9999', { token: READ_TOKEN });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NO_SUCH_QUEUE');
  });
});
