// The audit tail (lib/live/audit-tail.ts) against a real Redis: every entry,
// in order, and a rush in a few reads rather than one per entry.
import { afterEach, describe, expect, it } from 'vitest';
import { tailAudit, type AuditTail } from '../../lib/live/audit-tail.ts';
import { silentLogger } from '../../lib/log.ts';
import { appendAudit, auditBy } from '../../lib/store/audit.ts';
import type { AuditRecord } from '../../lib/store/audit.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

let r: TestRedis | undefined;
let tail: AuditTail | undefined;
afterEach(async () => {
  await tail?.stop();
  await r?.cleanup();
});

// Entries handed on in one synchronous run came from one read.
function follow(o: { blockMs?: number }): { got: AuditRecord[]; batches: number[] } {
  const got: AuditRecord[] = [];
  const batches: number[] = [];
  let open = false;
  tail = tailAudit({
    store: r!.store,
    log: silentLogger,
    blockMs: 1000,
    ...o,
    onEntry(rec) {
      got.push(rec);
      if (!open) {
        open = true;
        batches.push(0);
        setImmediate(() => (open = false));
      }
      batches[batches.length - 1]!++;
    },
  });
  return { got, batches };
}

async function rush(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await appendAudit(r!.store, auditBy({ source: 'cli', by: 'test' }, `7911000${String(i).padStart(4, '0')}`, 'login', 'OK', { queue: '8008' }));
    await new Promise((res) => setTimeout(res, 1));
  }
}

describe('the audit tail', () => {
  it('hands on every entry of a rush, in order, in a few reads', async () => {
    r = await testRedis();
    const { got, batches } = follow({});
    await new Promise((res) => setTimeout(res, 100)); // the first blocking read is waiting
    await rush(40);
    await waitFor(() => got.length === 40, 'all 40 entries');
    expect(got.map((e) => e.subject)).toEqual([...Array(40).keys()].map((i) => `7911000${String(i).padStart(4, '0')}`));
    // About 1 ms apart, they would come one read each without the wait after a read.
    expect(batches.length).toBeLessThan(15);
  });

  it('hands on a lone entry at once, not at the end of the blocking read', async () => {
    r = await testRedis();
    const { got } = follow({ blockMs: 5000 });
    await new Promise((res) => setTimeout(res, 100));
    const t0 = Date.now();
    await rush(1);
    await waitFor(() => got.length === 1, 'the entry');
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});
