// Refused connections are logged per interval, not per connection: a flood of
// 5,000 refusals must not become 5,000 log lines (disk, log shipping, the CPU
// the flood is already taking). The first refusal of a kind is logged at once,
// so an operator sees the trouble start; the rest of the interval is one line
// per kind with the count and a few of the addresses.
import type { Logger } from '../log.ts';

export interface RefusalLog {
  /** One refused connection; `fields` go on the line when it is the one logged at once. */
  note(reason: string, remote: string, fields?: Record<string, unknown>): void;
  /** Logs what is still counted and stops the timer (server close). */
  flush(): void;
}

const MAX_ADDRESSES = 5;

export function createRefusalLog(log: Logger, intervalMs: number): RefusalLog {
  const pending = new Map<string, { count: number; remotes: Set<string> }>();
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    for (const [reason, p] of pending) {
      if (p.count > 0) {
        log.warn({ reason, refused: p.count, remotes: [...p.remotes], intervalMs }, `FastAGI connections refused: ${reason} (${p.count} more in the interval)`);
      }
    }
    pending.clear();
  };

  return {
    note(reason, remote, fields = {}) {
      const p = pending.get(reason);
      if (!p) {
        // The first of its kind since the last summary: logged now, the rest counted.
        log.warn({ remote, ...fields }, `FastAGI connection refused: ${reason}`);
        pending.set(reason, { count: 0, remotes: new Set() });
        timer ??= setTimeout(flush, intervalMs).unref();
        return;
      }
      p.count++;
      if (p.remotes.size < MAX_ADDRESSES) p.remotes.add(remote);
    },
    flush,
  };
}
