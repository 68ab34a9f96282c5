import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAgent, deleteAgentRecord, getAgent, listAgents, setAgentMobile, setAgentName, setAgentPin, setAgentQueues, verifyAgentPin,
} from '../../lib/agents/accounts.ts';
import { AgentExistsError, AgentNotFoundError, BadPinFormatError } from '../../lib/agents/errors.ts';
import { BadParamsError } from '../../lib/errors.ts';
import type { Store } from '../../lib/store/redis.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };

let t: TestRedis;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = t.store;
});
afterEach(() => t.cleanup());

/** Every key name and every value under this test's prefix, whatever the type. */
async function everythingStored(): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      out.push(key);
      const type = await t.redis.type(key);
      if (type === 'string') out.push((await t.redis.get(key)) ?? '');
      else if (type === 'hash') out.push(...Object.entries(await t.redis.hgetall(key)).flat());
      else if (type === 'set') out.push(...(await t.redis.smembers(key)));
      else if (type === 'stream') out.push(...(await t.redis.xrange(key, '-', '+')).flatMap(([id, f]) => [id, ...f]));
      else throw new Error(`unexpected ${type} at ${key}`);
    }
  } while (cursor !== '0');
  return out;
}

const ivan = { id: '1001', name: 'Иван Петров', pin: '73915046', queues: [{ queue: '8008', penalty: 0 }, { queue: 'sales-2', penalty: 5 }] };

describe('agent accounts', () => {
  it('creates, reads and lists agents in id order, mobile only where given', async () => {
    const created = await createAgent(store, { ...ivan, mobile: '79112223344' }, FAST);
    await createAgent(store, { id: '7', name: 'Ann', pin: '1111', queues: [] }, FAST);
    await createAgent(store, { id: '20', name: 'Bob', pin: '2222', queues: [{ queue: '8009', penalty: 1000 }] }, FAST);
    expect(await getAgent(store, '1001')).toEqual(created);
    expect(created).toMatchObject({ id: '1001', name: 'Иван Петров', queues: ivan.queues, mobile: '79112223344' });
    expect(Math.abs(created.createdAt - Date.now())).toBeLessThan(5000);
    const all = await listAgents(store);
    expect(all.map((a) => a.id)).toEqual(['7', '20', '1001']);
    expect(all[0]).not.toHaveProperty('mobile');
    expect(JSON.stringify(all)).not.toMatch(/scrypt|pin/i);
    expect(await getAgent(store, '9999')).toBeNull();
  });

  it('stores no PIN in plaintext anywhere in Redis, only a salted scrypt hash', async () => {
    await createAgent(store, ivan, FAST);
    await setAgentPin(store, '1001', '60428139', FAST);
    const stored = await everythingStored();
    expect(stored.length).toBeGreaterThan(0);
    for (const s of stored) {
      expect(s).not.toContain('73915046');
      expect(s).not.toContain('60428139');
    }
    expect(stored.some((s) => s.startsWith('scrypt$'))).toBe(true);
  });

  it('verifies the PIN: the account for the right one, null for a wrong one or an unknown agent', async () => {
    await createAgent(store, ivan, FAST);
    expect(await verifyAgentPin(store, '1001', '73915046', FAST)).toMatchObject({ id: '1001', name: ivan.name });
    expect(await verifyAgentPin(store, '1001', '73915047', FAST)).toBeNull();
    expect(await verifyAgentPin(store, '1001', 'x', FAST)).toBeNull();
    expect(await verifyAgentPin(store, '1002', '73915046', FAST)).toBeNull();
  });

  it('changes the PIN so only the new one works', async () => {
    await createAgent(store, ivan, FAST);
    await setAgentPin(store, '1001', '2468', FAST);
    expect(await verifyAgentPin(store, '1001', '73915046', FAST)).toBeNull();
    expect(await verifyAgentPin(store, '1001', '2468', FAST)).not.toBeNull();
    await expect(setAgentPin(store, '1001', '12', FAST)).rejects.toBeInstanceOf(BadPinFormatError);
    expect(await verifyAgentPin(store, '1001', '2468', FAST)).not.toBeNull();
  });

  it('re-hashes a correct PIN stored at a lower cost than today, and keeps it working', async () => {
    await createAgent(store, ivan, FAST);
    const before = await t.redis.hget(store.keys.agent('1001'), 'pinHash');
    expect(await verifyAgentPin(store, '1001', '73915046', { pinHash: { ln: 5, r: 1, p: 1 } })).not.toBeNull();
    const after = await t.redis.hget(store.keys.agent('1001'), 'pinHash');
    expect(after).not.toBe(before);
    expect(after).toMatch(/^scrypt\$ln=5,r=1,p=1\$/);
    expect(await verifyAgentPin(store, '1001', '73915046', FAST)).not.toBeNull();
  });

  it('refuses to create an agent whose id exists, and leaves the existing one as it was', async () => {
    await createAgent(store, ivan, FAST);
    await expect(createAgent(store, { id: '1001', name: 'Other', pin: '9999', queues: [] }, FAST)).rejects.toSatisfy(
      (e: unknown) => e instanceof AgentExistsError && e.code === 'AGENT_EXISTS');
    expect((await getAgent(store, '1001'))?.name).toBe(ivan.name);
    expect(await verifyAgentPin(store, '1001', '73915046', FAST)).not.toBeNull();
  });

  it('only one of many concurrent creates of one id succeeds', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      createAgent(store, { id: '55', name: `N${i}`, pin: '4444', queues: [] }, FAST)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof AgentExistsError)).toHaveLength(7);
  });

  it('sets queues, name and mobile, and changing a missing agent creates nothing', async () => {
    await createAgent(store, ivan, FAST);
    await setAgentQueues(store, '1001', [{ queue: '8009', penalty: 3 }]);
    await setAgentName(store, '1001', 'Ivan P.');
    await setAgentMobile(store, '1001', '79990001122');
    expect(await getAgent(store, '1001')).toMatchObject({ name: 'Ivan P.', queues: [{ queue: '8009', penalty: 3 }], mobile: '79990001122' });
    await setAgentMobile(store, '1001', null);
    expect(await getAgent(store, '1001')).not.toHaveProperty('mobile');

    for (const change of [
      () => setAgentQueues(store, '404', []),
      () => setAgentName(store, '404', 'X'),
      () => setAgentMobile(store, '404', '123'),
      () => setAgentPin(store, '404', '1234', FAST),
      () => deleteAgentRecord(store, '404'),
    ]) await expect(change()).rejects.toSatisfy((e: unknown) => e instanceof AgentNotFoundError && e.code === 'AGENT_NOT_FOUND');
    expect(await t.redis.exists(store.keys.agent('404'))).toBe(0);
  });

  it('deletes the record and its place in the list', async () => {
    await createAgent(store, ivan, FAST);
    await deleteAgentRecord(store, '1001');
    expect(await getAgent(store, '1001')).toBeNull();
    expect(await listAgents(store)).toEqual([]);
    expect(await verifyAgentPin(store, '1001', '73915046', FAST)).toBeNull();
  });

  it('refuses names Asterisk would corrupt or that could reach the wire, and bad ids, queues, penalties and mobiles', async () => {
    const bad: Array<Partial<typeof ivan> & { mobile?: string }> = [
      { name: 'Smith; John' }, { name: 'Smith, John' }, { name: 'a|b' }, { name: 'a\r\nAction: Logoff' }, { name: 'a\0b' },
      { name: '' }, { name: '   ' }, { name: ' Ann' }, { name: 'x'.repeat(65) }, { name: 'a\u202eb' },
      { id: '' }, { id: '12a' }, { id: '1'.repeat(21) }, { id: '1001:x' },
      { queues: [{ queue: 'sales:1', penalty: 0 }] }, { queues: [{ queue: '', penalty: 0 }] }, { queues: [{ queue: 'q'.repeat(65), penalty: 0 }] },
      { queues: [{ queue: '8008', penalty: -1 }] }, { queues: [{ queue: '8008', penalty: 1001 }] }, { queues: [{ queue: '8008', penalty: 1.5 }] },
      { queues: [{ queue: '8008', penalty: 1 }, { queue: '8008', penalty: 2 }] },
      { mobile: '12' }, { mobile: '+79112223344' }, { mobile: '1'.repeat(16) },
    ];
    for (const b of bad) {
      await expect(createAgent(store, { ...ivan, ...b }, FAST), JSON.stringify(b)).rejects.toBeInstanceOf(BadParamsError);
    }
    expect(await everythingStored()).toEqual([]);
    await createAgent(store, { ...ivan, name: 'x'.repeat(64) }, FAST);
    await expect(setAgentName(store, '1001', 'a|b')).rejects.toBeInstanceOf(BadParamsError);
    await expect(setAgentQueues(store, '1001', [{ queue: 'a b', penalty: 0 }])).rejects.toBeInstanceOf(BadParamsError);
    expect(await getAgent(store, '1001')).toMatchObject({ name: 'x'.repeat(64), queues: ivan.queues });
  });
});
