import { RateLimitedError } from '../errors.ts';
import { execTx, type Store } from '../store/redis.ts';

/**
 * Counts one attempt by `number` in a fixed window and refuses past `limit`:
 * a phone stuck in a redial loop, or someone probing the service code, cannot
 * flap a member in and out of a queue.
 */
export async function takeToggleToken(store: Store, number: string, limit: number, windowSec: number): Promise<void> {
  const key = store.keys.rate(number);
  const [count] = (await execTx('rate limit', store.redis.multi().incr(key).expire(key, windowSec, 'NX'))) as [number, number];
  if (count > limit) throw new RateLimitedError(`number ${number} made more than ${limit} changes in ${windowSec} s`);
}
