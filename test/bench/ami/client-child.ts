// One AMI client in a process of its own, so the CPU it reports is the
// client's alone: the AMI double runs elsewhere. Three flavours, measured the
// same way:
//   plain      asterisk-manager 0.2.0 as published (BENCH_PRISTINE_DIR); its
//              list replies are collected by hand from the events carrying the
//              ActionID, as a user of the plain library has to
//   patched    the patched library, raw (what patches/ changed, alone)
//   agentgate  AmiClient on the patched library: typed replies, typed events
//              (what the service runs)
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { AmiClient } from '../../../lib/ami/client.ts';
import { asteriskManager, type RawList, type RawMessage } from '../../../lib/ami/manager.ts';
import { silentLogger } from '../../../lib/log.ts';
import { serve } from '../support/child.ts';
import { selfStats, statsHandlers } from '../support/self-stats.ts';
import { median } from '../support/stats.ts';

interface Flavour {
  ready: Promise<void>;
  ping(): Promise<void>;
  /** QueueStatus of one queue; resolves with the number of QueueMember items. */
  queueStatus(queue: string): Promise<number>;
  onEvent(cb: (name: string) => void): void;
}

interface PlainManager {
  on(event: string, cb: (e: RawMessage) => void): void;
  removeListener(event: string, cb: (e: RawMessage) => void): void;
  action(a: Record<string, string>, cb: (err: unknown, res?: RawMessage) => void): string;
}

const port = Number(process.env.BENCH_AMI_PORT);
const host = '127.0.0.1';
const user = 'agentgate';
const secret = 'bench';

function plain(): Flavour {
  const require = createRequire(import.meta.url);
  const Manager = require(process.env.BENCH_PRISTINE_DIR!) as (p: number, h: string, u: string, s: string, e: boolean) => PlainManager;
  const m = Manager(port, host, user, secret, true);
  const act = (a: Record<string, string>) =>
    new Promise<RawMessage>((resolve, reject) => {
      m.action(a, (err, res) => (err ? reject(new Error(JSON.stringify(err))) : resolve(res ?? {})));
    });
  return {
    // Actions are held until the login succeeds: the first reply means logged in.
    ready: act({ action: 'Ping' }).then(() => undefined),
    ping: () => act({ action: 'Ping' }).then(() => undefined),
    queueStatus(queue) {
      return new Promise((resolve, reject) => {
        let members = 0;
        let id = '';
        const onEvent = (e: RawMessage) => {
          if (e.actionid !== id) return;
          if (e.event === 'QueueMember') members += 1;
          else if (e.event === 'QueueStatusComplete') {
            m.removeListener('managerevent', onEvent);
            resolve(members);
          }
        };
        m.on('managerevent', onEvent);
        id = m.action({ action: 'QueueStatus', queue }, (err) => {
          if (err) reject(new Error(JSON.stringify(err)));
        });
      });
    },
    onEvent: (cb) => m.on('managerevent', (e) => cb(String(e.event))),
  };
}

function patched(): Flavour {
  const m = asteriskManager(port, host, user, secret, 'on', { actionTimeout: 60_000, reconnect: { minMs: 500, maxMs: 5000 } });
  const act = (a: Record<string, string>) =>
    new Promise<RawList | undefined>((resolve, reject) => {
      m.action(a, (err, _res, list) => (err ? reject(new Error(String((err as Error).message ?? JSON.stringify(err)))) : resolve(list)));
    });
  return {
    ready: new Promise((resolve) => m.on('loggedin', () => resolve())),
    ping: () => act({ Action: 'Ping' }).then(() => undefined),
    queueStatus: async (queue) => (await act({ Action: 'QueueStatus', Queue: queue }))!.events.filter((e) => e.event === 'QueueMember').length,
    onEvent: (cb) => m.on('managerevent', (e: RawMessage) => cb(String(e.event))),
  };
}

function agentgate(): Flavour {
  const client = new AmiClient({ host, port, username: user, secret, actionTimeoutMs: 60_000, logger: silentLogger, events: 'on', pingIntervalMs: 0 });
  return {
    ready: client.connect(),
    ping: () => client.ping(),
    queueStatus: async (queue) => (await client.queueStatus({ queue })).members.length,
    onEvent: (cb) => client.on('event', (e) => cb(e.name)),
  };
}

const name = process.argv[2] ?? 'agentgate';
const flavour = name === 'plain' ? plain() : name === 'patched' ? patched() : agentgate();
await flavour.ready;

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function pings(total: number, window: number): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started += 1;
      await flavour.ping();
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, lane));
}

let floodCount = 0;
let floodFirst = 0;
let floodEnd: (() => void) | undefined;
flavour.onEvent((eventName) => {
  if (floodEnd === undefined) return;
  if (floodCount === 0) floodFirst = performance.now();
  if (eventName === 'BenchFloodEnd') floodEnd();
  else floodCount += 1;
});
let floodDone: Promise<void> = Promise.resolve();
let floodCpu0 = 0;

serve(
  {
    ...statsHandlers,
    /** `total` Pings, `window` of them in flight at any time. */
    async actions(a: { total: number; window: number; warmup: number }) {
      await pings(a.warmup, a.window);
      const c0 = cpuMs();
      const t0 = performance.now();
      await pings(a.total, a.window);
      const ms = performance.now() - t0;
      return { actions: a.total, window: a.window, wallMs: ms, perSec: (a.total * 1000) / ms, cpuUsPerAction: ((cpuMs() - c0) * 1000) / a.total };
    },
    /** QueueStatus of `queue`, `reps` times one after another. */
    async queueStatus(a: { queue: string; reps: number }) {
      const members = await flavour.queueStatus(a.queue); // warm-up, and the count
      const times: number[] = [];
      const c0 = cpuMs();
      for (let i = 0; i < a.reps; i++) {
        const t0 = performance.now();
        const n = await flavour.queueStatus(a.queue);
        times.push(performance.now() - t0);
        if (n !== members) throw new Error(`QueueStatus returned ${n} members, then ${members}`);
      }
      return { members, reps: a.reps, medianMs: median(times), minMs: Math.min(...times), cpuMsPerCall: (cpuMs() - c0) / a.reps };
    },
    /** Get ready to count a flood; the runner then has the double send it. */
    floodArm() {
      floodCount = 0;
      floodCpu0 = cpuMs();
      floodDone = new Promise<void>((resolve) => {
        floodEnd = resolve;
      });
    },
    async floodWait() {
      await floodDone;
      const wallMs = performance.now() - floodFirst;
      const cpu = cpuMs() - floodCpu0;
      floodEnd = undefined;
      return { events: floodCount, wallMs, cpuMs: cpu, cpuUsPerEvent: (cpu * 1000) / floodCount, eventsPerSec: (floodCount * 1000) / wallMs };
    },
    peak: () => selfStats().peakRss,
    stop: () => undefined,
  },
  { flavour: name },
);
