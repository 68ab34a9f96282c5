// Keeps Redis, Asterisk and the BLF lamps in step for the life of the process:
// live member events are settled as they come (track-events.ts), and a full
// re-sync (resync.ts) runs at every AMI login (restart or not: events may have
// been missed while disconnected), at every FullyBooted (Asterisk logged us in
// before its queues were loaded), and whenever Redis comes back (events
// settled while it was away were lost). Re-syncs run one at a time; requests
// made during one fold into one more run. A failed one is retried with
// back-off while AMI and Redis are up; when either is down, its return
// triggers the next.
import type { AmiClient } from '../ami/client.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/redis.ts';
import { Lamps } from './blf.ts';
import { OwnChanges } from './own-changes.ts';
import { reconcile, type SyncDeps } from './reconcile.ts';
import { settleUnfinishedOf } from './unfinished.ts';
import { resync, type ResyncReport } from './resync.ts';
import { EventTracker } from './track-events.ts';

export interface SyncStatus {
  /** ms since the epoch when the last re-sync finished. */
  lastResyncAt?: number;
  lastReport?: ResyncReport;
  /** Why the latest re-sync failed, until one succeeds. */
  lastError?: string;
  resyncing: boolean;
}

export interface SyncService {
  /** Asks for a full re-sync; resolves once one that started after this call has ended (failed or not). */
  resync(by: string): Promise<void>;
  /** Resolves when no re-sync and no event is being settled. */
  idle(): Promise<void>;
  status(): SyncStatus;
  /** Stops listening and waits for the work under way. */
  stop(): Promise<void>;
  /** Told of agentgate's own changes: the member events they cause set the lamps without a reconcile (own-changes.ts). */
  readonly own: OwnChanges;
  /**
   * Rolls back the unfinished changes of `subject` (an agent) now, as the
   * re-sync would: called by the agent's next change, under its agent lock,
   * before it reads anything, so that no change is ever planned on top of an
   * unfinished one of the same agent.
   */
  settleUnfinished(subject: string): Promise<void>;
}

export interface StartSyncOptions {
  ami: AmiClient;
  store: Store;
  log: Logger;
  config: Config['sync'];
  /** How members are added; a restored member is added the same way. */
  members?: Config['queues']['members'];
  /**
   * Runs after the first re-sync of this process and after every re-sync that
   * follows an Asterisk restart: puts back what lives only in Asterisk's
   * memory (AGENTBYCALLERID_ globals of the agent bindings).
   */
  afterRestart?: () => Promise<void>;
  /** Back-off between retries of a failed re-sync. Default 1 s doubling to 30 s. */
  retry?: { minMs: number; maxMs: number };
}

export function startSync(o: StartSyncOptions): SyncService {
  const { ami, store, log } = o;
  const retry = o.retry ?? { minMs: 1000, maxMs: 30_000 };
  const lamps = o.config.blfTemplate === null
    ? undefined
    : new Lamps({ setvar: (v, value) => ami.setvar(v, value), template: o.config.blfTemplate, pausedState: o.config.blfPausedState, log });
  const deps: SyncDeps = { pbx: ami, store, log, policy: o.config.missing, lamps, ...(o.members ? { members: o.members } : {}) };

  const status: SyncStatus = { resyncing: false };
  let wanted: string | undefined;
  let loop: Promise<void> | undefined;
  let restartPending = o.afterRestart !== undefined; // the first re-sync counts: we cannot know what Asterisk lost before we started
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const upNow = (): boolean => ami.connected && store.redis.status === 'ready';

  const own = new OwnChanges();
  const tracker = new EventTracker({
    settle: async (iface, queues, events) => {
      // A change of ours in flight there: its end says whether these events are its own.
      await own.settled(iface);
      const lamps = own.take(iface, events);
      if (!lamps) {
        await reconcile(deps, { interfaces: [iface], queues, mode: 'event', by: 'ami-event', lamps: true });
        return;
      }
      if (deps.lamps) await deps.lamps.show(lamps).catch((err: Error) => log.warn({ err: err.message }, 'BLF states not set'));
    },
    onFailure: () => scheduleRetry(),
    log,
  });

  function request(by: string): Promise<void> {
    if (stopped) return Promise.resolve();
    // A restart is the reason worth keeping when several fold into one run.
    if (wanted !== 'asterisk-restart') wanted = by;
    loop ??= run();
    return loop;
  }

  async function run(): Promise<void> {
    try {
      while (wanted !== undefined && !stopped) {
        const by = wanted;
        wanted = undefined;
        await once(by);
      }
    } finally {
      loop = undefined;
    }
  }

  async function once(by: string): Promise<void> {
    status.resyncing = true;
    try {
      status.lastReport = await resync(deps, by);
      status.lastResyncAt = Date.now();
      status.lastError = undefined;
      failures = 0;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
    } catch (err) {
      status.lastError = (err as Error).message;
      failures += 1;
      const line = { by, attempt: failures, err: (err as Error).message };
      if (failures === 1) log.warn(line, 're-sync failed; retrying when AMI and Redis are up');
      else log.debug(line, 're-sync failed again');
      scheduleRetry();
      return;
    } finally {
      status.resyncing = false;
    }
    if (restartPending && o.afterRestart) {
      try {
        await o.afterRestart();
        restartPending = false;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'state Asterisk lost at its restart not put back; retrying at the next re-sync');
      }
    }
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer) return;
    const delay = Math.min(retry.maxMs, retry.minMs * 2 ** Math.max(0, failures - 1));
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      // While AMI or Redis is down, its return (login / ready) asks for the re-sync.
      if (upNow()) void request('retry');
    }, delay);
    retryTimer.unref();
  }

  const onConnected = (info: { restarted: boolean }): void => {
    if (info.restarted) restartPending = o.afterRestart !== undefined;
    if (store.redis.status === 'ready') void request(info.restarted ? 'asterisk-restart' : 'ami-login');
  };
  const onFullyBooted = (): void => {
    if (upNow()) void request('fully-booted');
  };
  const onRedisReady = (): void => {
    if (ami.connected) void request('redis-back');
  };
  ami.on('connected', onConnected);
  ami.on('FullyBooted', onFullyBooted);
  store.redis.on('ready', onRedisReady);
  tracker.listen(ami);
  if (upNow()) void request('start');

  return {
    resync: (by) => request(by),
    settleUnfinished: (subject) => settleUnfinishedOf(deps, subject),
    async idle() {
      // Settling an event can ask for a re-sync and a re-sync causes events: wait until both are quiet.
      do {
        await loop;
        await tracker.idle();
      } while (loop);
    },
    status: () => ({ ...status }),
    own,
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      lamps?.stop();
      ami.off('connected', onConnected);
      ami.off('FullyBooted', onFullyBooted);
      store.redis.off('ready', onRedisReady);
      await tracker.stop();
      await loop;
    },
  };
}
