// The live model decides toggles (lib/members/change.ts) only once it is
// rebuilt from Asterisk with every event held meanwhile replayed on top: a
// rebuild during which events had to be dropped is not trusted, and is done again.
import { EventEmitter } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import type { QueueStatusResult } from '../../lib/ami/client.ts';
import { LiveFeed, type LiveAmi } from '../../lib/live/feed.ts';
import { LiveHub } from '../../lib/live/hub.ts';
import { silentLogger } from '../../lib/log.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const IFACE = 'Local/79112223344@outbound-allroutes/n';
let t: TestRedis | undefined;
let feed: LiveFeed | undefined;
afterEach(async () => {
  await feed?.stop();
  await t?.cleanup();
  feed = undefined;
  t = undefined;
});

const member = { queue: '8008', name: 'Ivan', interface: IFACE, stateInterface: IFACE, membership: 'dynamic', penalty: 0, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: 0, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0 };

it('a rebuild during which held events overflowed is done again before the model decides anything', async () => {
  t = await testRedis();
  const releases: Array<(s: QueueStatusResult) => void> = [];
  const ami = Object.assign(new EventEmitter(), {
    connected: true,
    filter: async () => undefined,
    queueStatus: () => new Promise<QueueStatusResult>((resolve) => releases.push(resolve)),
  }) as unknown as LiveAmi;
  feed = new LiveFeed({ ami, store: t.store, log: silentLogger, hub: new LiveHub() });
  feed.start();
  await waitFor(() => releases.length === 1, 'the first QueueStatus');
  // More member events than are held while the rebuild waits for Asterisk.
  for (let i = 0; i <= 10_000; i++) {
    (ami as unknown as EventEmitter).emit('event', { name: 'QueueMemberStatus', headers: { queue: '8008', interface: `Local/7${i}@outbound-allroutes/n`, status: '1', membership: 'dynamic' } });
  }
  releases[0]!({ params: [{ queue: '8008' }], members: [], entries: [] } as unknown as QueueStatusResult);
  await waitFor(() => releases.length === 2, 'a second QueueStatus');
  expect(feed.synced).toBe(false);
  expect(feed.liveMembers([IFACE])).toBeUndefined();
  releases[1]!({ params: [{ queue: '8008' }], members: [member], entries: [] } as unknown as QueueStatusResult);
  await waitFor(() => feed!.synced, 'the model rebuilt');
  expect(feed.liveMembers([IFACE])?.map((m) => m.interface)).toEqual([IFACE]);
});
