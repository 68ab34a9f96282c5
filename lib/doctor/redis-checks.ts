// Redis: reachable, persistent, holding agentgate's data. Read-only: PING,
// CONFIG GET, SCARD.
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.ts';
import { fail, ok, warn, type Check } from './report.ts';

/** The URL without its password, as the report shows it. */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * appendonly yes, or RDB snapshots (`save` not empty), keep the allowlists over
 * a Redis restart. `config` undefined: CONFIG is refused (renamed away, ACL,
 * a managed Redis), so persistence cannot be told from here.
 */
export function persistenceCheck(config: { appendonly: string; save: string } | undefined): Check {
  const id = 'redis-persistence';
  if (!config) {
    return warn(id, 'Redis persistence: cannot tell (CONFIG GET is refused)', 'make sure the Redis server has appendonly yes (or save snapshots), or the allowlists and agents are lost at its restart');
  }
  if (config.appendonly === 'yes') return ok(id, 'Redis persistence: appendonly yes');
  if (config.save.trim() !== '') return ok(id, `Redis persistence: RDB snapshots (save ${config.save.trim()}); appendonly yes loses less`);
  return fail(id, 'Redis persistence: off (appendonly no, save "")', 'set appendonly yes in redis.conf (or CONFIG SET appendonly yes then CONFIG REWRITE): a Redis restart now loses every allowlist and agent account');
}

export function keysCheck(allowQueues: number, agents: number): Check {
  if (allowQueues === 0) {
    return warn('redis-keys', `Redis data: no queue has an allowlist or policy (${agents} agent accounts): every number is refused`, 'add numbers with agentgate allow add <queue> <number>, or import FreePBX\'s with agentgate import freepbx');
  }
  return ok('redis-keys', `Redis data: ${allowQueues} queues with allowlists or policies, ${agents} agent accounts`);
}

export async function redisChecks(redis: Redis, keys: Keys, url: string): Promise<{ checks: Check[]; reachable: boolean }> {
  const where = redisWhere(url);
  try {
    await redis.ping();
  } catch (err) {
    return {
      reachable: false,
      checks: [fail('redis', `Redis at ${where}: not reachable (${(err as Error).message})`, 'start Redis or set REDIS_URL to where it runs')],
    };
  }
  const checks: Check[] = [ok('redis', `Redis at ${where}: answers`)];
  let config: { appendonly: string; save: string } | undefined;
  try {
    const [, appendonly = ''] = (await redis.config('GET', 'appendonly')) as string[];
    const [, save = ''] = (await redis.config('GET', 'save')) as string[];
    config = { appendonly, save };
  } catch {
    config = undefined;
  }
  checks.push(persistenceCheck(config));
  const [queues, agents] = await Promise.all([redis.scard(keys.allowQueues()), redis.scard(keys.agents())]);
  checks.push(keysCheck(queues, agents));
  return { checks, reachable: true };
}
