// Data kept by older versions under queue names as typed (`Sales`) is moved
// to the lower-case name agentgate now keeps, so it still applies.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMemberRecords } from '../../lib/members/records.ts';
import { authorize, getPolicy, listAllowQueues } from '../../lib/queues/allowlist.ts';
import { canonicalQueueNames } from '../../lib/store/migrate.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
beforeEach(async () => {
  t = await testRedis();
});
afterEach(() => t.cleanup());

describe('queue names stored as typed', () => {
  it('are moved to lower case: allowlist, policy and member records apply again; a second run does nothing', async () => {
    const { redis, prefix, store } = t;
    // As an older version wrote them.
    await redis.hset(`${prefix}allow:Sales`, '79112223344', JSON.stringify({ penalty: 2, name: 'Ivan Petrov' }));
    await redis.set(`${prefix}policy:Sales`, 'list');
    await redis.sadd(`${prefix}allow-queues`, 'Sales', '8008');
    const record = { queue: 'Sales', interface: 'Local/79112223344@outbound-allroutes/n', subject: '79112223344', kind: 'number', penalty: 2, name: 'Ivan Petrov', since: 1, source: 'agentgate', paused: false, reason: '' };
    await redis.hset(`${prefix}members:Sales`, record.interface, JSON.stringify(record));
    await redis.sadd(`${prefix}member-queues`, 'Sales');

    expect(await canonicalQueueNames(store)).toEqual(['Sales', 'Sales']);
    expect(await authorize(store, 'SALES', '79112223344')).toEqual({ number: '79112223344', penalty: 2, name: 'Ivan Petrov' });
    expect(await getPolicy(store, 'sales')).toBe('list');
    expect((await listAllowQueues(store)).map((q) => q.queue)).toEqual(['8008', 'sales']);
    expect(await listMemberRecords(store)).toEqual([{ ...record, queue: 'sales' }]);
    expect(await redis.exists(`${prefix}allow:Sales`, `${prefix}policy:Sales`, `${prefix}members:Sales`)).toBe(0);

    expect(await canonicalQueueNames(store)).toEqual([]);
  });
});
