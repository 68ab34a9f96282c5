// What a kill -9 leaves behind, at every command of a toggle. The service runs
// as a real process (lib/main.ts); for every Redis command and every AMI
// action of a mobile toggling itself into two queues, one run lets that
// command reach the server and kills the process the moment it has passed,
// before any reply (test/support/fault-proxy.ts). A fresh process then starts
// on the same Redis and Asterisk. Once it has settled: the change stands in
// both queues or in neither, Redis holds exactly what Asterisk has, the lamps
// show it, and a caller who was told LOGGEDIN is logged in. (The crash-point
// suite beside it loses a reply with the service alive; here nothing of the
// first process survives: no timer, no retry, no in-memory record.)
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listMemberRecords } from '../../lib/members/records.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listIntents } from '../../lib/store/intents.ts';
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

async function world(): Promise<World> {
  const links = await faultyLinks();
  for (const queue of QUEUES) await allowNumber(links.redis.store, queue, { number: MOBILE, penalty: 1, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  const services: Service[] = [];
  return {
    ...links,
    services,
    async start() {
      const [port, health] = [await freePort(), await freePort()];
      let out = '';
      const child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', ...links.env, FASTAGI_HOST: '127.0.0.1', FASTAGI_PORT: String(port), HEALTH_PORT: String(health), LOG_LEVEL: 'info' },
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

const lampOf = (queue: string) => `Custom:QUEUE${MOBILE}*${queue}`;

/** The mobile's queues in Asterisk, in Redis's records, and where its lamp is lit. */
async function census(w: World): Promise<{ asterisk: string[]; redis: string[]; lamps: string[] }> {
  // Local/<n>@<context>/n, or Local/<n>*<context>@agentgate-confirm/n with confirm on answer.
  const mine = (iface: string) => /^Local\/(\d+)[@*]/.exec(iface)?.[1] === MOBILE;
  return {
    asterisk: w.ami.members().filter((m) => m.membership === 'dynamic' && mine(m.interface)).map((m) => m.queue).sort(),
    redis: (await listMemberRecords(w.redis.store)).filter((r) => mine(r.interface)).map((r) => r.queue).sort(),
    lamps: QUEUES.filter((q) => w.ami.deviceState(lampOf(q)) === 'INUSE'),
  };
}

const toggle = async (svc: Service) =>
  (await callFastAgi(svc.port, { script: `queue-toggle?queue=${QUEUES.join(',')}&context=outbound-allroutes&prompts=no`, callerId: MOBILE })).variables.AGENTGATE_RESULT ?? '(nothing)';

let current: World | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** The commands a clean toggle sends on each link, counted at the proxies (with whatever the sync sends right after it). */
async function commandsOfAToggle(): Promise<{ redis: number; ami: number }> {
  const w = (current = await world());
  const svc = await w.start();
  const [r0, a0] = [w.redisProxy.commands, w.amiProxy.commands];
  expect(await toggle(svc)).toBe('LOGGEDIN');
  await new Promise((r) => setTimeout(r, 300)); // the lamps and queue_log lines the sync sends for it
  const counts = { redis: w.redisProxy.commands - r0, ami: w.amiProxy.commands - a0 };
  await w.stop();
  current = undefined;
  return counts;
}

describe('a kill -9 at any command of a toggle into two queues', () => {
  it('leaves, once a new process has settled, the change in both queues or in neither, Redis and the lamps agreeing, and a LOGGEDIN true', async () => {
    const counts = await commandsOfAToggle();
    expect(counts.redis).toBeGreaterThanOrEqual(2);
    expect(counts.ami).toBeGreaterThanOrEqual(4);
    const outcomes: string[] = [];
    for (const link of ['redis', 'ami'] as const) {
      for (let k = 1; k <= counts[link]; k++) {
        const w = (current = await world());
        const first = await w.start();
        (link === 'redis' ? w.redisProxy : w.amiProxy).loseReplyOf(k, () => first.child.kill('SIGKILL'));
        const told = await toggle(first);
        await first.exited;
        const second = await w.start();
        await waitFor(async () => (await listIntents(w.redis.store)).length === 0, `no unfinished change left (${link} command ${k}; log: ${second.out().slice(-600)})`, 15_000);
        // Settled: the same census twice, half a second apart.
        let last = '';
        await waitFor(async () => {
          const now = JSON.stringify(await census(w));
          const same = now === last;
          last = now;
          if (!same) await new Promise((r) => setTimeout(r, 500));
          return same;
        }, `a settled state (${link} command ${k})`, 15_000);
        const after = await census(w);
        const where = `${link} command ${k} of ${counts[link]}, caller told ${told}`;
        expect([[], QUEUES], where).toContainEqual(after.asterisk);
        expect(after.redis, where).toEqual(after.asterisk);
        expect(after.lamps, where).toEqual(after.asterisk);
        if (told === 'LOGGEDIN') expect(after.asterisk, where).toEqual(QUEUES);
        outcomes.push(`${where}: ${after.asterisk.length ? 'in' : 'out'}`);
        await w.stop();
        current = undefined;
      }
    }
    // Both ends were reached: kills before the record leave nothing, kills after it the change.
    expect(outcomes.some((o) => o.endsWith(': in')), outcomes.join('\n')).toBe(true);
    expect(outcomes.some((o) => o.endsWith(': out')), outcomes.join('\n')).toBe(true);
  });
});
