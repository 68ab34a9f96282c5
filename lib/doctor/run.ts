// `agentgate doctor`: every check, in the order a set-up is built. It only
// reads: Redis PING/CONFIG GET/SCARD/SMEMBERS/HGETALL, AMI probes that cannot
// change anything (ami-rights.ts), ShowDialPlan, QueueStatus, Getvar, and
// queues.conf from disk. Later checks that need an earlier one's connection
// are left out when it failed; the failure already names the fault.
import { Redis } from 'ioredis';
import type { QueueStatusResult } from '../ami/actions.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { listAllowed, listAllowQueues } from '../queues/allowlist.ts';
import { makeKeys } from '../store/keys.ts';
import type { Store } from '../store/redis.ts';
import { amiLogin } from './ami-login.ts';
import { probeRights, rightsChecks } from './ami-rights.ts';
import { confirmContextCheck, dialplanChecks } from './dialplan-checks.ts';
import { allowCheck, asteriskSource, globalCheck, listeningCheck, readGlobal } from './fastagi-checks.ts';
import { fromAstdb, fromConf } from './persistent-members.ts';
import { queueCheck, queuesConfCheck, settingsOf } from './queue-checks.ts';
import { readQueuesConf } from './queues-conf.ts';
import { redisChecks } from './redis-checks.ts';
import { fail, type Check } from './report.ts';

export interface DoctorOptions {
  /** Where queues.conf is (default /etc/asterisk). */
  asteriskEtc: string;
}

export async function runDoctor(config: Config, log: Logger, opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, commandTimeout: 2000, retryStrategy: () => null, enableOfflineQueue: true });
  redis.on('error', () => undefined);
  const store: Store = { redis, keys: makeKeys(config.redis.prefix), auditMaxLen: config.queues.auditMaxLen };
  // Allowlisted queues and numbers: number -> the queues listing it.
  const lists = new Map<string, string[]>();
  const queues: string[] = [];
  try {
    await redis.connect().catch(() => undefined);
    const r = await redisChecks(redis, store.keys, config.redis.url);
    checks.push(...r.checks);
    if (r.reachable) {
      for (const { queue } of await listAllowQueues(store)) {
        queues.push(queue);
        for (const e of await listAllowed(store, queue)) lists.set(e.number, [...(lists.get(e.number) ?? []), queue]);
      }
    }
  } finally {
    redis.disconnect();
  }

  const conf = readQueuesConf(opts.asteriskEtc);
  const login = await amiLogin(config.ami, log);
  checks.push(...login.checks);
  const session = login.session;
  if (session) {
    const { ami } = session;
    try {
      checks.push(...rightsChecks(config.ami.username, await probeRights(ami)));
      const status: QueueStatusResult = await ami.queueStatus();
      const byName = new Map(status.params.map((p) => [p.queue.toLowerCase(), p]));
      for (const q of queues) checks.push(queueCheck(q, byName.get(q), settingsOf(conf, q)));
      const confCheck = queuesConfCheck(opts.asteriskEtc, conf !== undefined);
      if (confCheck) checks.push(confCheck);
      checks.push(conf ? fromConf(conf) : await fromAstdb(ami, status.members));
      checks.push(...(await dialplanChecks(ami, config.ami.username, config.queues.memberContext, lists)));
      if (config.queues.members.confirmAnswer) checks.push(await confirmContextCheck(ami, config.ami.username));
      const global = await readGlobal(ami, 'AGENTGATE');
      if (global !== undefined) checks.push(globalCheck(global, config.fastagi));
    } catch (err) {
      checks.push(fail('ami', `AMI: ${(err as Error).message}`, 'check that Asterisk stays up while doctor runs'));
    } finally {
      await ami.close().catch(() => undefined);
    }
  }
  checks.push(await listeningCheck(config.fastagi));
  if (session) checks.push(allowCheck(config.fastagi, asteriskSource(config.fastagi.host, config.ami.host, session.peer)));
  return checks;
}
