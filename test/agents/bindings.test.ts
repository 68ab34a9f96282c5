import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindAgent, getAgentBinding, getPhoneAgent, listBindings, unbindAgent } from '../../lib/agents/bindings.ts';
import { PhoneTakenError } from '../../lib/agents/errors.ts';
import { BadParamsError } from '../../lib/errors.ts';
import type { Store } from '../../lib/store/redis.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = t.store;
});
afterEach(() => t.cleanup());

const at = (agentId: string, phone: string, since = 1000) => ({ agentId, phone, interface: `PJSIP/${phone}`, since });

/** Both directions agree, and the listing shows exactly the bound agents. */
async function expectConsistent(): Promise<Map<string, string>> {
  const bindings = await listBindings(store);
  const phoneOf = new Map<string, string>();
  for (const b of bindings) {
    expect(await getPhoneAgent(store, b.phone), `phone ${b.phone}`).toBe(b.agentId);
    expect(phoneOf.has(b.agentId)).toBe(false);
    phoneOf.set(b.agentId, b.phone);
  }
  expect(new Set(phoneOf.values()).size).toBe(phoneOf.size);
  const phoneKeys = (await t.redis.keys(store.keys.phoneBinding('*'))).map((k) => k.slice(store.keys.phoneBinding('').length));
  expect(phoneKeys.sort()).toEqual([...phoneOf.values()].sort());
  return phoneOf;
}

describe('phone <-> agent binding', () => {
  it('binds both ways, and binding the same agent to the same phone again changes nothing', async () => {
    expect(await bindAgent(store, at('1001', '2001', 111))).toEqual({ already: false });
    expect(await getAgentBinding(store, '1001')).toEqual({ agentId: '1001', phone: '2001', interface: 'PJSIP/2001', since: 111 });
    expect(await getPhoneAgent(store, '2001')).toBe('1001');
    expect(await bindAgent(store, at('1001', '2001', 222))).toEqual({ already: true });
    expect((await getAgentBinding(store, '1001'))?.since).toBe(111);
    await expectConsistent();
  });

  it('moves an agent who logs in at another phone, freeing the old phone in the same step', async () => {
    await bindAgent(store, at('1001', '2001'));
    const moved = await bindAgent(store, { agentId: '1001', phone: '79112223344', interface: 'Local/79112223344@outbound-allroutes/n', since: 2000 });
    expect(moved).toEqual({ already: false, movedFrom: { phone: '2001', interface: 'PJSIP/2001' } });
    expect(await getPhoneAgent(store, '2001')).toBeNull();
    expect(await getPhoneAgent(store, '79112223344')).toBe('1001');
    expect(await bindAgent(store, at('1002', '2001'))).toEqual({ already: false });
    expect(await expectConsistent()).toEqual(new Map([['1001', '79112223344'], ['1002', '2001']]));
  });

  it('reports the old interface when the same phone comes back with a new one', async () => {
    await bindAgent(store, at('1001', '2001'));
    expect(await bindAgent(store, { agentId: '1001', phone: '2001', interface: 'SIP/2001', since: 5 }))
      .toEqual({ already: false, movedFrom: { phone: '2001', interface: 'PJSIP/2001' } });
    expect((await getAgentBinding(store, '1001'))?.interface).toBe('SIP/2001');
  });

  it('refuses a phone held by another agent and changes nothing, not even the mover\'s own binding', async () => {
    await bindAgent(store, at('1001', '2001'));
    await bindAgent(store, at('1002', '2002'));
    const err = await bindAgent(store, at('1002', '2001')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneTakenError);
    expect(err).toMatchObject({ code: 'PHONE_TAKEN', agentId: '1001', phone: '2001' });
    expect(await expectConsistent()).toEqual(new Map([['1001', '2001'], ['1002', '2002']]));
  });

  it('two agents racing for one phone: exactly one wins, the other gets PhoneTakenError', async () => {
    for (let round = 0; round < 20; round++) {
      const phone = `30${round}`;
      const results = await Promise.allSettled([bindAgent(store, at(`${round}1`, phone)), bindAgent(store, at(`${round}2`, phone))]);
      const won = results.findIndex((r) => r.status === 'fulfilled');
      const lost = results.find((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(PhoneTakenError);
      expect((lost as PromiseRejectedResult).reason.agentId).toBe(`${round}${won + 1}`);
      expect(await getPhoneAgent(store, phone)).toBe(`${round}${won + 1}`);
    }
    expect((await expectConsistent()).size).toBe(20);
  });

  it('many concurrent binds and unbinds of few agents and phones end consistent in both directions', async () => {
    const agents = ['1', '2', '3', '4', '5', '6'];
    const phones = ['100', '101', '102', '103'];
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const ops = Array.from({ length: 300 }, (_, i) => {
      const agentId = agents[rnd(agents.length)]!;
      if (i % 7 === 0) return unbindAgent(store, agentId);
      return bindAgent(store, at(agentId, phones[rnd(phones.length)]!, i)).catch((e: unknown) => {
        if (!(e instanceof PhoneTakenError)) throw e;
      });
    });
    await Promise.all(ops);
    const final = await expectConsistent();
    for (const [agentId] of final) expect(await t.redis.sismember(store.keys.bindings(), agentId)).toBe(1);
    expect(await t.redis.scard(store.keys.bindings())).toBe(final.size);
  });

  it('unbinds both directions and says what it removed', async () => {
    await bindAgent(store, at('1001', '2001', 7));
    expect(await unbindAgent(store, '1001')).toEqual({ agentId: '1001', phone: '2001', interface: 'PJSIP/2001', since: 7 });
    expect(await getAgentBinding(store, '1001')).toBeNull();
    expect(await getPhoneAgent(store, '2001')).toBeNull();
    expect(await listBindings(store)).toEqual([]);
    expect(await unbindAgent(store, '1001')).toBeNull();
  });

  it('an unbind expecting a phone the agent has since left does nothing', async () => {
    await bindAgent(store, at('1001', '2001'));
    await bindAgent(store, at('1001', '2002'));
    expect(await unbindAgent(store, '1001', { phone: '2001' })).toBeNull();
    expect(await getPhoneAgent(store, '2002')).toBe('1001');
    expect(await unbindAgent(store, '1001', { phone: '2002' })).toMatchObject({ phone: '2002' });
    expect(await expectConsistent()).toEqual(new Map());
  });

  it('refuses phones and interfaces that could break a key or the AMI wire', async () => {
    for (const req of [at('1001', '20:01'), at('1001', ''), at('1001', '2001\r\n'), { ...at('1001', '2001'), interface: 'PJSIP/2001\r\nAction: Logoff' },
      { ...at('1001', '2001'), interface: '' }, at('10a', '2001'), { ...at('1001', '2001'), since: Number.NaN }]) {
      await expect(bindAgent(store, req), JSON.stringify(req)).rejects.toBeInstanceOf(BadParamsError);
    }
    expect(await listBindings(store)).toEqual([]);
  });
});
