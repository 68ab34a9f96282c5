// How member events are scheduled: one interface at a time, bursts folded, failures handed on.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.ts';
import { EventTracker } from '../../lib/sync/track-events.ts';

function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

describe('event tracker', () => {
  it('settles one interface at a time and folds the events that came meanwhile into one more settle', async () => {
    const calls: string[] = [];
    const first = gate();
    let running = 0;
    let overlap = false;
    const tracker = new EventTracker({
      settle: async (iface, queues) => {
        running += 1;
        overlap ||= running > 1;
        calls.push(`${iface} ${queues.sort().join(',')}`);
        if (calls.length === 1) await first.wait;
        running -= 1;
      },
      onFailure: () => undefined,
      log: silentLogger,
    });
    tracker.note('PJSIP/1001', '8008');
    tracker.note('PJSIP/1001', '8009');
    tracker.note('PJSIP/1001', '8010');
    tracker.note('PJSIP/1001', '8009');
    first.open();
    await tracker.idle();
    expect(calls).toEqual(['PJSIP/1001 8008', 'PJSIP/1001 8009,8010']);
    expect(overlap).toBe(false);
  });

  it('settles different interfaces side by side', async () => {
    const both = gate();
    const started: string[] = [];
    const tracker = new EventTracker({
      settle: async (iface) => {
        started.push(iface);
        if (started.length === 2) both.open();
        await both.wait;
      },
      onFailure: () => undefined,
      log: silentLogger,
    });
    tracker.note('PJSIP/1001', '8008');
    tracker.note('PJSIP/1002', '8008');
    await tracker.idle();
    expect(started.sort()).toEqual(['PJSIP/1001', 'PJSIP/1002']);
  });

  it('hands a failure on (for a re-sync) and goes on with the next events', async () => {
    const failures: string[] = [];
    const done: string[] = [];
    const tracker = new EventTracker({
      settle: async (iface) => {
        if (iface === 'bad') throw new Error('Redis unavailable');
        done.push(iface);
      },
      onFailure: (err) => failures.push(err.message),
      log: silentLogger,
    });
    tracker.note('bad', '8008');
    tracker.note('good', '8008');
    await tracker.idle();
    expect(failures).toEqual(['Redis unavailable']);
    expect(done).toEqual(['good']);
  });

  it('after stop, takes no more events', async () => {
    const done: string[] = [];
    const tracker = new EventTracker({ settle: async (i) => void done.push(i), onFailure: () => undefined, log: silentLogger });
    await tracker.stop();
    tracker.note('PJSIP/1001', '8008');
    await tracker.idle();
    expect(done).toEqual([]);
  });
});
