// A random secret per installation, kept in Redis so every instance sharing it
// hashes alike: what the service must be able to recognise again (the same
// mistyped ID, for the wrong-PIN counter) but must never store, log or audit
// as typed. Made once with SET NX; the first instance to ask wins.
import { randomBytes } from 'node:crypto';
import { storeOp, type Store } from './redis.ts';

const cache = new WeakMap<Store, string>();

export async function installSalt(store: Store): Promise<string> {
  const known = cache.get(store);
  if (known !== undefined) return known;
  const key = store.keys.installSalt();
  const salt = await storeOp('install salt', async () => {
    await store.redis.set(key, randomBytes(32).toString('hex'), 'NX');
    return store.redis.get(key);
  });
  if (!salt) throw new Error('install salt missing right after SET NX');
  cache.set(store, salt);
  return salt;
}
