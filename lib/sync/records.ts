import type { MemberRecord } from '../queues/member-store.ts';
import { storeOp, type Store } from '../store/redis.ts';

/** Redis's records of these interfaces in every queue, without reading every member of every queue. */
export async function recordsOf(store: Store, interfaces: readonly string[]): Promise<MemberRecord[]> {
  const { redis, keys } = store;
  const queues = await storeOp('list member queues', () => redis.smembers(keys.memberQueues()));
  if (queues.length === 0 || interfaces.length === 0) return [];
  const pipe = redis.pipeline();
  for (const q of queues) pipe.hmget(keys.members(q), ...interfaces);
  const res = await storeOp('read members', async () => (await pipe.exec()) ?? []);
  const out: MemberRecord[] = [];
  for (const [err, vals] of res) {
    if (err) throw err;
    for (const v of vals as Array<string | null>) if (v) out.push(JSON.parse(v) as MemberRecord);
  }
  return out;
}
