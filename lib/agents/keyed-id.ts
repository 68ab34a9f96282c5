// What a keyed agent ID may be called in logs, the audit trail and Redis keys.
// An ID that names an agent is not a secret and stays as it is. One that names
// no agent may be anything the caller meant for another prompt, a PIN above all
// (after a wrong PIN the dialogue asks for the ID again): it is replaced by a
// keyed hash, `unknown-<16 hex>`, the same for the same digits on this
// installation (so wrong-PIN counting still works) and useless without the
// salt in Redis, which never leaves it.
import { createHmac } from 'node:crypto';
import { execTx, type Store } from '../store/redis.ts';
import { installSalt } from '../store/salt.ts';

const HASHED = /^unknown-[0-9a-f]{16}$/;

/**
 * The keyed ID if it names an agent (an account, or a binding left by one),
 * else its keyed hash. Asked as set members, so the digits never become part of
 * a key name, not even in a read.
 */
export async function keyedIdSubject(store: Store, keyed: string): Promise<string> {
  if (/^\d{1,20}$/.test(keyed)) {
    const [account, bound] = (await execTx('agent exists', store.redis.multi().sismember(store.keys.agents(), keyed).sismember(store.keys.bindings(), keyed))) as [number, number];
    if (account === 1 || bound === 1) return keyed;
  }
  const salt = await installSalt(store);
  return `unknown-${createHmac('sha256', salt).update(keyed).digest('hex').slice(0, 16)}`;
}

/** True for what keyedIdSubject makes of an ID that names no agent. */
export function isHashedSubject(subject: string): boolean {
  return HASHED.test(subject);
}
