// What the caller is told is what happened, whatever reply is lost. For every
// Redis command and every AMI action of a flow, one run loses that command's
// reply and cuts the connection (test/support/fault-proxy.ts); once the
// service has reconnected and settled, Asterisk and Redis hold exactly what
// the caller was told: the change done (LOGGEDIN, PAUSED, ...) or nothing
// changed (ERROR, REFUSED). Flows: a mobile's toggle into two queues, its
// pause and its auto-pause after unanswered rings, and an agent's login,
// pause and logout.
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { getAgentBinding } from '../../lib/agents/bindings.ts';
import { startApp, type App } from '../../lib/app.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/log.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { listIntents } from '../../lib/store/intents.ts';
import { storeReady } from '../../lib/store/redis.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { waitFor } from '../support/wait.ts';
import { faultyLinks, type FaultyLinks } from './links.ts';

const MOBILE = '79112223344';
const DESK = '1001';
const PIN = '86420';
const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
/** Fault points run at once. */
const PARALLEL = 8;

interface World extends FaultyLinks {
  app: App;
}

async function world(): Promise<World> {
  const links = await faultyLinks();
  const config = loadConfig({ ...links.env, FASTAGI_PORT: '0', SHUTDOWN_GRACE_MS: '200' });
  const app = await startApp(config, silentLogger);
  await waitFor(() => app.svc.ami.connected, 'AMI login');
  await storeReady(app.svc.store);
  await waitFor(() => app.sync.status().lastResyncAt !== undefined, 'the first re-sync');
  await app.sync.idle();
  return {
    ...links,
    app,
    async stop() {
      await app.stop();
      await links.stop();
    },
  };
}

/** What a caller could notice: members in Asterisk, the records and the agent's binding in Redis. */
async function state(w: World): Promise<{ asterisk: string[]; redis: string[]; binding: string }> {
  const asterisk = w.ami.members().filter((m) => m.membership === 'dynamic')
    .map((m) => `${m.queue} ${m.interface} ${m.paused ? `paused:${m.pausedReason}` : 'active'}`).sort();
  const redis = (await listMemberRecords(w.redis.store)).map((r) => `${r.queue} ${r.interface} ${r.paused ? `paused:${r.reason}` : 'active'}`).sort();
  const b = await getAgentBinding(w.redis.store, '7001');
  return { asterisk, redis, binding: b ? `${b.phone} ${b.interface}` : '' };
}

interface Flow {
  name: string;
  /** Brings a fresh world to where the flow starts. */
  setup(w: World): Promise<void>;
  /** Runs the flow; the word the dialplan was told. */
  run(w: World): Promise<string>;
  /** The words that mean the change was done. */
  done: string[];
}

async function allowMobile(w: World): Promise<void> {
  for (const queue of ['8008', '8009']) await allowNumber(w.redis.store, queue, { number: MOBILE, penalty: 1, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
}

async function agent(w: World): Promise<void> {
  await createAgent(w.redis.store, { id: '7001', name: 'Olga Ivanova', pin: PIN, queues: [{ queue: '8008', penalty: 2 }, { queue: '8009', penalty: 5 }] }, FAST);
}

const word = async (p: ReturnType<typeof callFastAgi>) => (await p).variables.AGENTGATE_RESULT ?? '(nothing)';
const toggleMobile = (w: World, queues: string) => word(callFastAgi(w.app.port, { script: `queue-toggle?queue=${queues}&context=outbound-allroutes&prompts=no`, callerId: MOBILE }));
const loginAgent = (w: World) => word(callFastAgi(w.app.port, { script: 'agent-login?agent=7001&prompts=no', callerId: DESK, dtmf: [PIN] }));

/** A mobile allowed and logged in (the setup of the flows that start there). */
async function mobileIn(w: World, queues: string): Promise<void> {
  await allowMobile(w);
  expect(await toggleMobile(w, queues)).toBe('LOGGEDIN');
}

/** An agent logged in at its desk. */
async function agentIn(w: World): Promise<void> {
  await agent(w);
  expect(await loginAgent(w)).toBe('LOGGEDIN');
}

const FLOWS: Flow[] = [
  {
    // Through the outbound routes: confirm on answer, and ring-in-use turned off after each add.
    name: 'a mobile toggling itself into two queues',
    setup: allowMobile,
    run: (w) => toggleMobile(w, '8008,8009'),
    done: ['LOGGEDIN'],
  },
  {
    name: 'a mobile pausing itself',
    setup: (w) => mobileIn(w, '8008,8009'),
    run: (w) => word(callFastAgi(w.app.port, { script: 'queue-pause?mode=pause&reason=lunch&context=outbound-allroutes&prompts=no', callerId: MOBILE })),
    done: ['PAUSED'],
  },
  {
    // No caller is told anything: the word is what Asterisk shows once the
    // service has settled (a pause whose reply was lost is undone, and tried
    // again at the next miss), and Redis must agree with it.
    name: 'a mobile auto-paused after three unanswered rings',
    setup: (w) => mobileIn(w, '8008'),
    async run(w) {
      const iface = w.ami.members('8008').find((m) => m.interface.startsWith(`Local/${MOBILE}`))!.interface;
      const caller = w.ami.addCaller('8008', { number: '74950003344' });
      for (let i = 0; i < 3; i++) {
        w.ami.ringNoAnswer('8008', caller, iface);
        await new Promise((r) => setTimeout(r, 20));
        await w.app.autoPause.idle();
      }
      await settled(w);
      return w.ami.members('8008').find((m) => m.interface === iface)?.paused ? 'PAUSED' : 'NOT_PAUSED';
    },
    done: ['PAUSED'],
  },
  {
    name: 'an agent logging in with its PIN',
    setup: agent,
    run: loginAgent,
    done: ['LOGGEDIN'],
  },
  {
    name: 'an agent pausing',
    setup: agentIn,
    run: (w) => word(callFastAgi(w.app.port, { script: 'agent-pause?mode=pause&reason=lunch&prompts=no', callerId: DESK })),
    done: ['PAUSED'],
  },
  {
    name: 'an agent logging out',
    setup: agentIn,
    run: (w) => word(callFastAgi(w.app.port, { script: 'agent-logout?prompts=no', callerId: DESK })),
    done: ['LOGGEDOUT'],
  },
];

let current: World | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** Waits until the service is back on both links, has settled everything, and nothing moves any more. */
async function settled(w: World): Promise<void> {
  await waitFor(() => w.app.svc.ami.connected && w.app.svc.store.redis.status === 'ready', 'both links back', 10_000);
  await waitFor(async () => (await listIntents(w.redis.store)).length === 0, 'no unfinished change left', 10_000);
  await w.app.sync.resync('test');
  await w.app.sync.idle();
}

describe.each(FLOWS)('$name', (flow) => {
  // A clean run: how many commands the flow sends, and the state it ends in.
  let counts: { redis: number; ami: number } = { redis: 0, ami: 0 };
  let before: Awaited<ReturnType<typeof state>>;
  let after: Awaited<ReturnType<typeof state>>;

  it('runs clean: told done, and done', async () => {
    const w = (current = await world());
    await flow.setup(w);
    await settled(w);
    before = await state(w);
    const r0 = w.redisProxy.commands;
    const a0 = w.amiProxy.commands;
    expect(flow.done).toContain(await flow.run(w));
    counts = { redis: w.redisProxy.commands - r0, ami: w.amiProxy.commands - a0 };
    await settled(w);
    after = await state(w);
    expect(after).not.toEqual(before);
    expect(counts.redis).toBeGreaterThan(0);
    expect(counts.ami).toBeGreaterThan(0);
  });

  for (const link of ['redis', 'ami'] as const) {
    it(`whichever ${link === 'redis' ? 'Redis command' : 'AMI action'} loses its reply, ends as the caller was told`, async () => {
      // Each fault point in a world of its own; several at once (they mostly wait on reconnects).
      const one = async (k: number): Promise<string> => {
        const w = await world();
        try {
          await flow.setup(w);
          await settled(w);
          (link === 'redis' ? w.redisProxy : w.amiProxy).loseReplyOf(k);
          const told = await flow.run(w);
          await settled(w);
          const expected = flow.done.includes(told) ? after : before;
          expect(await state(w), `k=${k}: told ${told}`).toEqual(expected);
          // A change is audited once, never twice by a resent write.
          const logins = (await readAudit(w.redis.store, { count: 200 })).filter((a) => a.action === 'login' && a.result === 'OK' && a.source === 'fastagi');
          expect(new Set(logins.map((a) => a.queue)).size, `k=${k}`).toBe(logins.length);
          return told;
        } finally {
          await w.stop();
        }
      };
      const outcomes: string[] = [];
      const points = Array.from({ length: counts[link] }, (_, i) => i + 1);
      for (let i = 0; i < points.length; i += PARALLEL) {
        const told = await Promise.all(points.slice(i, i + PARALLEL).map(one));
        outcomes.push(...told.map((t, j) => `${points[i + j]}:${t}`));
      }
      // Some faults must have been told as failures, or nothing was tested.
      expect(outcomes.some((o) => !flow.done.some((d) => o.endsWith(`:${d}`))), outcomes.join(' ')).toBe(true);
    });
  }
});
