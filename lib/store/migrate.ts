// Stored data from older versions brought to the current form, once, at start.
// Idempotent: a second run finds nothing to do.
import type { Logger } from '../log.ts';
import { queueName } from '../validate.ts';
import { execTx, storeOp, type Store } from './redis.ts';

/**
 * Queue names used to be kept as typed; Asterisk ignores their case, and
 * agentgate now keeps them in lower case (lib/validate.ts queueName). An
 * allowlist, policy or member hash stored under `Sales` is moved to `sales`,
 * merged with what is there (what is there wins). Returns the names moved.
 */
export async function canonicalQueueNames(store: Store, log?: Logger): Promise<string[]> {
  const { redis, keys } = store;
  const moved: string[] = [];
  for (const set of [keys.allowQueues(), keys.memberQueues()]) {
    for (const name of await storeOp('list queues', () => redis.smembers(set))) {
      const canonical = queueName(name);
      if (canonical === name) continue;
      const old = keys.queueKeysAsTyped(name);
      const [allow, policy, members] = (await execTx('read queue as typed', redis.multi().hgetall(old.allowlist).get(old.policy).hgetall(old.members))) as
        [Record<string, string>, string | null, Record<string, string>];
      const tx = redis.multi();
      for (const [number, entry] of Object.entries(allow)) tx.hsetnx(keys.allowlist(canonical), number, entry);
      if (policy !== null) tx.set(keys.policy(canonical), policy, 'NX');
      for (const [iface, record] of Object.entries(members)) tx.hsetnx(keys.members(canonical), iface, JSON.stringify({ ...JSON.parse(record), queue: canonical }));
      tx.del(old.allowlist, old.policy, old.members).srem(set, name).sadd(set, canonical);
      await execTx('move queue to its lower-case name', tx);
      moved.push(name);
    }
  }
  if (moved.length) log?.warn({ queues: moved }, 'queue names moved to lower case (Asterisk ignores their case)');
  return moved;
}
