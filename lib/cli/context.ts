import { AmiClient } from '../ami/client.ts';
import { loadConfig } from '../config.ts';
import { PbxUnavailableError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { compileNumberRules } from '../numbers.ts';
import type { Services } from '../services.ts';
import { canonicalQueueNames } from '../store/migrate.ts';
import { openStore, storeReady } from '../store/redis.ts';
import { settleUnfinishedOf } from '../sync/unfinished.ts';

/** Usage mistakes: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The CLI builds the same services as the server, from the same environment,
 * and connects to AMI only when a command needs Asterisk.
 */
export async function withServices<T>(needAmi: boolean, fn: (svc: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const store = openStore({ url: config.redis.url, prefix: config.redis.prefix, auditMaxLen: config.queues.auditMaxLen, lockTtlMs: config.redis.lockTtlMs });
  const ami = new AmiClient({ ...config.ami, logger: log.child({ part: 'ami' }) });
  try {
    await storeReady(store);
    await canonicalQueueNames(store, log);
    if (needAmi) await connectWithin(ami, config.ami.host, config.ami.port, 5000);
    // An agent's change first rolls back what an earlier one left unfinished, as in the server (lamps are the server's).
    const settleUnfinished = needAmi
      ? (agentId: string) => settleUnfinishedOf({ pbx: ami, store, log, policy: config.sync.missing, members: config.queues.members }, agentId)
      : undefined;
    return await fn({ config, ami, store, numbers: compileNumberRules(config.numbers), log, ...(settleUnfinished ? { settleUnfinished } : {}) });
  } finally {
    await ami.close().catch(() => undefined);
    store.redis.disconnect();
  }
}

// connect() keeps trying in the background; a command line gives up and says where it looked.
async function connectWithin(ami: AmiClient, host: string, port: number, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ami.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PbxUnavailableError(`no AMI login at ${host}:${port} within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
