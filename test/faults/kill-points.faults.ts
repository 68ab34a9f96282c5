// What a kill -9 leaves behind, at every command of a change. The service runs
// as a real process (lib/main.ts); for every Redis command and every AMI
// action of a flow (a mobile toggling itself into two queues and pausing
// there, an agent's PIN login moving it from one desk to another, its pause,
// its logout, an administrator's forced logout of it), one run lets
// that command reach the server and kills the process the moment it has
// passed, before any reply (test/support/fault-proxy.ts). A fresh process then
// starts on the same Redis and Asterisk. Once it has settled: the change
// stands whole or not at all, Redis (records and the agent's binding) holds
// exactly what Asterisk has, the lamps show it, and what the caller was told
// is true. (The crash-point suite beside it loses a reply with the service
// alive; here nothing of the first process survives: no timer, no retry, no
// in-memory record.)
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { getAgentBinding } from '../../lib/agents/bindings.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listIntents } from '../../lib/store/intents.ts';
import type { Store } from '../../lib/store/redis.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/wait.ts';
import { faultyLinks, type FaultyLinks } from './links.ts';

const MAIN = path.resolve(import.meta.dirname, '../../lib/main.ts');
const MOBILE = '79112223344';
const QUEUES = ['8008', '8009'];

interface Service {
  child: ChildProcess;
  port: number;
  health: number;
  out(): string;
  exited: Promise<unknown>;
}

interface World extends FaultyLinks {
  services: Service[];
  start(): Promise<Service>;
}

async function world(flow: Flow): Promise<World> {
  // FreePBX's phone keys for each number the flows use (*45<n>*<queue>, hint Custom:QUEUE<n>*<queue>).
  const links = await faultyLinks({ hints: [MOBILE, DESK, OLD_DESK].flatMap((n) => QUEUES.map((q) => ({ exten: `*45${n}*${q}`, context: 'ext-queues', hint: `Custom:QUEUE${n}*${q}` }))) });
  await flow.setup(links.redis.store);
  const services: Service[] = [];
  return {
    ...links,
    services,
    async start() {
      const [port, health] = [await freePort(), await freePort()];
      let out = '';
      const child = spawn(process.execPath, [MAIN], {
        // A dead process's locks hold its members this long before the new one can settle them.
        env: { PATH: process.env.PATH ?? '', ...links.env, LOCK_TTL_MS: '2000', FASTAGI_HOST: '127.0.0.1', FASTAGI_PORT: String(port), HEALTH_PORT: String(health), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => { out += d; });
      child.stderr!.on('data', (d) => { out += d; });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const svc: Service = { child, port, health, out: () => out, exited };
      services.push(svc);
      // Ready, and the first re-sync with Asterisk done (the live model is trusted from then on).
      await waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined);
        if (!r || r.status !== 200) return false;
        const body = (await r.json()) as { sync?: { resyncing: boolean; lastResyncAt?: number } };
        return body.sync?.lastResyncAt !== undefined && !body.sync.resyncing;
      }, `the service ready and re-synced`, 20_000);
      return svc;
    },
    async stop() {
      for (const s of services) s.child.kill('SIGKILL');
      await Promise.all(services.map((s) => s.exited));
      await links.stop();
    },
  };
}

/**
 * One change to kill at every command: what it needs first, the call, and
 * where its subject stands. `state` names the outcome as one word per place
 * the subject can be: every acceptable state is one of `whole`.
 */
interface Flow {
  name: string;
  setup(store: Store): Promise<void>;
  /** Calls made before the commands are counted (to be logged in first, say). */
  prepare?(svc: Service): Promise<void>;
  run(svc: Service): Promise<string>;
  /** What the caller may have been told, and the state that makes it true. */
  told: Record<string, string>;
  /** The states the subject may be left in: before the change, and after it. */
  whole: [before: string, after: string];
  census(w: World): Promise<Census>;
}

/** Where the subject stands in Asterisk, in Redis's records, in its binding, and on its lamps. */
interface Census {
  asterisk: string[];
  redis: string[];
  binding: string;
  lamps: string[];
}

// Local/<n>@<context>/n, or Local/<n>*<context>@agentgate-confirm/n with confirm on answer.
const numberOf = (iface: string) => /^Local\/(\d+)[@*]/.exec(iface)?.[1];
/** A member as `queue@number`, with `:paused` while paused. */
const memberText = (queue: string, n: string, paused: boolean) => `${queue}@${n}${paused ? ':paused' : ''}`;

/** The lamps lit (BLF_SCHEME=freepbx: one per phone and queue; ONHOLD while paused), as members are written. */
const lit = (w: World, numbers: string[]) =>
  numbers.flatMap((n) => QUEUES.flatMap((q) => {
    const state = w.ami.deviceState(`Custom:QUEUE${n}*${q}`);
    return state === 'INUSE' || state === 'ONHOLD' ? [memberText(q, n, state === 'ONHOLD')] : [];
  })).sort();

/** The queues a subject's numbers are in, as `queue@number`, in Asterisk and in Redis. */
async function membersOf(w: World, numbers: string[]): Promise<{ asterisk: string[]; redis: string[] }> {
  const mine = (iface: string) => numbers.includes(numberOf(iface) ?? '');
  return {
    asterisk: w.ami.members().filter((m) => m.membership === 'dynamic' && mine(m.interface)).map((m) => memberText(m.queue, numberOf(m.interface)!, m.paused)).sort(),
    redis: (await listMemberRecords(w.redis.store)).filter((r) => mine(r.interface)).map((r) => memberText(r.queue, numberOf(r.interface)!, r.paused)).sort(),
  };
}

/** The state a census shows: where Asterisk has the subject, or `mixed`. */
function stateOf(c: Census, places: Record<string, string[]>): string {
  return Object.entries(places).find(([, members]) => JSON.stringify(members) === JSON.stringify(c.asterisk))?.[0] ?? `mixed ${c.asterisk.join(',')}`;
}

const AGENT = '7001';
const PIN = '86420';
const [DESK, OLD_DESK] = ['1001', '1002'];
const at = (phone: string, paused = false) => QUEUES.map((q) => memberText(q, phone, paused));

const agentLogin = (svc: Service, phone: string) =>
  callFastAgi(svc.port, { script: `agent-login?agent=${AGENT}&prompts=no`, callerId: phone, dtmf: [PIN] }).then((r) => r.variables.AGENTGATE_RESULT ?? '(nothing)');

async function agentCensus(w: World): Promise<Census> {
  return { ...(await membersOf(w, [DESK, OLD_DESK])), binding: (await getAgentBinding(w.redis.store, AGENT))?.phone ?? '', lamps: lit(w, [DESK, OLD_DESK]) };
}

const setupAgent = async (store: Store) => {
  await createAgent(store, { id: AGENT, name: 'Ivan Petrov', pin: PIN, queues: QUEUES.map((queue) => ({ queue, penalty: 1 })) }, { pinHash: { ln: 4, r: 1, p: 1 } });
};

const mobileScript = (svc: Service, script: string) =>
  callFastAgi(svc.port, { script: `${script}&context=outbound-allroutes&prompts=no`, callerId: MOBILE }).then((r) => r.variables.AGENTGATE_RESULT ?? '(nothing)');
const TOGGLE = `queue-toggle?queue=${QUEUES.join(',')}`;

/** A change the mobile makes by calling `script`, after a toggle in when `loggedIn`: it stands whole (what `told` names) or not at all (`before`). */
function mobileFlow(name: string, script: string, o: { loggedIn: boolean; told: Record<string, string>; before: string }): Flow {
  return {
    name,
    async setup(store) {
      for (const queue of QUEUES) await allowNumber(store, queue, { number: MOBILE, penalty: 1, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    },
    ...(o.loggedIn ? { prepare: async (svc: Service) => expect(await mobileScript(svc, TOGGLE)).toBe('LOGGEDIN') } : {}),
    run: (svc) => mobileScript(svc, script),
    told: o.told,
    whole: [o.before, Object.values(o.told)[0]!],
    census: async (w) => ({ ...(await membersOf(w, [MOBILE])), binding: '', lamps: lit(w, [MOBILE]) }),
  };
}

/** A change of the agent logged in at DESK, by a call from `from`: it stands whole (what `told` names) or the agent is still at DESK. */
function atDesk(name: string, script: string, from: string, told: Record<string, string>): Flow {
  return {
    name,
    setup: setupAgent,
    async prepare(svc) {
      expect(await agentLogin(svc, DESK)).toBe('LOGGEDIN');
    },
    run: async (svc) => (await callFastAgi(svc.port, { script, callerId: from })).variables.AGENTGATE_RESULT ?? '(nothing)',
    told,
    whole: [`at ${DESK}`, Object.values(told)[0]!],
    census: agentCensus,
  };
}

const FLOWS: Flow[] = [
  mobileFlow('a mobile toggling itself into two queues', TOGGLE, { loggedIn: false, told: { LOGGEDIN: 'in' }, before: 'out' }),
  mobileFlow('a mobile pausing itself in both its queues', 'queue-pause?mode=pause&reason=lunch', { loggedIn: true, told: { PAUSED: 'paused' }, before: 'in' }),
  {
    name: 'an agent\'s PIN login moving it from one desk to another',
    setup: setupAgent,
    async prepare(svc) {
      expect(await agentLogin(svc, OLD_DESK)).toBe('LOGGEDIN');
    },
    run: (svc) => agentLogin(svc, DESK),
    told: { LOGGEDIN: `at ${DESK}` },
    whole: [`at ${OLD_DESK}`, `at ${DESK}`],
    census: agentCensus,
  },
  atDesk('an agent\'s logout', 'agent-logout?prompts=no', DESK, { LOGGEDOUT: 'out' }),
  atDesk('an agent pausing itself in every queue from its desk', 'agent-pause?mode=pause&prompts=no', DESK, { PAUSED: `paused at ${DESK}` }),
  atDesk('an administrator\'s forced logout of an agent', `agent-force-logout?agent=${AGENT}&prompts=no`, '1099', { LOGGEDOUT: 'out' }),
];

/** Where each state has the subject in Asterisk, with the binding that goes with it. */
const PLACES: Record<string, { members: string[]; binding: string }> = {
  in: { members: at(MOBILE), binding: '' },
  paused: { members: at(MOBILE, true), binding: '' },
  [`paused at ${DESK}`]: { members: at(DESK, true), binding: DESK },
  out: { members: [], binding: '' },
  [`at ${DESK}`]: { members: at(DESK), binding: DESK },
  [`at ${OLD_DESK}`]: { members: at(OLD_DESK), binding: OLD_DESK },
};

let current: World | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** The commands a clean run of the flow sends on each link, counted at the proxies (with whatever the sync sends right after it). */
async function commandsOf(flow: Flow): Promise<{ redis: number; ami: number }> {
  const w = (current = await world(flow));
  const svc = await w.start();
  await flow.prepare?.(svc);
  await new Promise((r) => setTimeout(r, 300));
  const [r0, a0] = [w.redisProxy.commands, w.amiProxy.commands];
  expect(Object.keys(flow.told)).toContain(await flow.run(svc));
  await new Promise((r) => setTimeout(r, 300)); // the lamps and queue_log lines the sync sends for it
  const counts = { redis: w.redisProxy.commands - r0, ami: w.amiProxy.commands - a0 };
  await w.stop();
  current = undefined;
  return counts;
}

describe('a kill -9 at any command of a change', () => {
  for (const flow of FLOWS) {
    it(`${flow.name}: once a new process has settled, the change stands whole or not at all, Redis and the lamps agree with Asterisk, and what the caller was told is true`, async () => {
      const counts = await commandsOf(flow);
      expect(counts.redis).toBeGreaterThanOrEqual(2);
      expect(counts.ami).toBeGreaterThanOrEqual(2);
      const outcomes: string[] = [];
      for (const link of ['redis', 'ami'] as const) {
        for (let k = 1; k <= counts[link]; k++) {
          const w = (current = await world(flow));
          const first = await w.start();
          await flow.prepare?.(first);
          await new Promise((r) => setTimeout(r, 300));
          const proxy = link === 'redis' ? w.redisProxy : w.amiProxy;
          proxy.loseReplyOf(k, () => first.child.kill('SIGKILL'));
          const told = await flow.run(first);
          await first.exited;
          const second = await w.start();
          await waitFor(async () => (await listIntents(w.redis.store)).length === 0, `no unfinished change left (${link} command ${k}; log: ${second.out().slice(-600)})`, 15_000);
          // Settled: the same census twice, half a second apart.
          let last = '';
          await waitFor(async () => {
            const now = JSON.stringify(await flow.census(w));
            const same = now === last;
            last = now;
            if (!same) await new Promise((r) => setTimeout(r, 500));
            return same;
          }, `a settled state (${link} command ${k})`, 15_000);
          const after = await flow.census(w);
          const state = stateOf(after, Object.fromEntries(flow.whole.map((s) => [s, PLACES[s]!.members])));
          const where = `${link} command ${k} of ${counts[link]}, caller told ${told}: ${state} ${JSON.stringify(after)}`;
          expect(flow.whole, where).toContain(state);
          expect(after.redis, where).toEqual(after.asterisk);
          expect(after.binding, where).toBe(PLACES[state]!.binding);
          expect(after.lamps, where).toEqual(after.asterisk);
          if (flow.told[told]) expect(state, where).toBe(flow.told[told]);
          outcomes.push(`${link} ${k}: ${state}`);
          await w.stop();
          current = undefined;
        }
      }
      // Both ends were reached: kills before the record leave the change undone, kills after it done.
      for (const end of flow.whole) expect(outcomes.some((o) => o.endsWith(`: ${end}`)), outcomes.join('\n')).toBe(true);
    });
  }
});
