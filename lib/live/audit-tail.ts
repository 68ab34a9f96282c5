// Follows the audit stream as it grows (XREAD BLOCK on a connection of its
// own), so the live model hears of every domain decision wherever it was
// taken: this process, another instance on the same Redis, or the CLI. That is
// how refusals reach the stream and how agent logins and logouts refresh which
// agent is at which phone, without a second event bus beside the audit trail.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import type { AuditEntry, AuditRecord } from '../store/audit.ts';
import type { Store } from '../store/redis.ts';

export interface AuditTail {
  stop(): Promise<void>;
}

export interface AuditTailOptions {
  store: Store;
  log: Logger;
  onEntry(rec: AuditRecord): void;
  /** How long one XREAD blocks; shorter makes stop() quicker. Default 5000. */
  blockMs?: number;
  /** Pause after a failed read (Redis away). Default 1000. */
  retryMs?: number;
  /** Wait after a read that brought entries, so that a rush comes in few reads. Default 20. */
  lingerMs?: number;
}

function toRecord(id: string, flat: string[]): AuditRecord {
  const rec: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) rec[flat[i]!] = flat[i + 1]!;
  return { ...(rec as unknown as AuditEntry), id, at: Number(id.split('-')[0]) };
}

export function tailAudit(o: AuditTailOptions): AuditTail {
  const blockMs = o.blockMs ?? 5000;
  const retryMs = o.retryMs ?? 1000;
  // Issue 15: every toggle appends an entry, and a read per entry was a Redis
  // round trip per toggle; a short wait after each read that found some lets a
  // rush arrive in batches of up to 100, a few ms late. A quiet stream is still
  // read at once: the blocking read is always waiting.
  const lingerMs = o.lingerMs ?? 20;
  // A blocking read needs a connection of its own, without the store's 2 s
  // command timeout (it would cut every wait short).
  const conn: Redis = o.store.redis.duplicate({ commandTimeout: undefined, enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: true });
  conn.on('error', () => undefined); // the store's own connection logs Redis outages
  const key = o.store.keys.audit();
  let stopped = false;
  let wake: (() => void) | undefined;

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

  async function run(): Promise<void> {
    let last: string | undefined;
    while (!stopped) {
      try {
        if (conn.status === 'wait') await conn.connect();
        // Start after the newest entry that exists now; from then on, after the last one handed on.
        last ??= (await conn.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
        const res = await conn.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, last);
        for (const [, rows] of res ?? []) {
          for (const [id, flat] of rows) {
            last = id;
            try {
              o.onEntry(toRecord(id, flat));
            } catch (err) {
              o.log.error({ err, id }, 'audit entry not handled');
            }
          }
        }
        if (res && lingerMs > 0 && !stopped) await pause(lingerMs);
      } catch (err) {
        if (stopped) break;
        o.log.debug({ err: (err as Error).message }, 'audit tail: read failed; retrying');
        await pause(retryMs);
      }
    }
  }

  const done = run();
  return {
    async stop() {
      stopped = true;
      wake?.();
      conn.disconnect();
      await done;
    },
  };
}
