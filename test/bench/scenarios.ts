// The FastAGI benchmarks of `npm run bench`: the same generator and the same
// toggle dialogue against
//   a   the bare ding-dong floor (no AMI, no Redis)
//   a2  the same dialogue through agentgate's FastAGI layer (no AMI, no Redis)
//   b   agentgate's queue-toggle against the AMI double and a real Redis
//   c   a classic AGI script spawned per call (perl, node)
// Each is first calibrated: one toggle in and one out, every command recorded,
// so the floors are checked to hold the very dialogue b holds.
import { numberOfInterface } from '../../lib/asterisk/interfaces.ts';
import { runClosedLoop, runOpenLoop, type LoadResult, type Workload } from './agi/load.ts';
import { playSession } from './agi/peer.ts';
import { judgeToggle, ToggleWorkload, type QueueStat } from './agi/toggle-workload.ts';
import type { Child } from './support/child.ts';
import type { BenchRedis } from './support/redis.ts';
import { startAgentgate, startAmiDouble, startClassic, startFloor, type Target, type WindowCost } from './targets.ts';

export interface FastAgiBenchOptions {
  quick: boolean;
  /** Parts to run: a, a2, b, c. */
  only: ReadonlySet<string>;
  concurrency: number;
  rate: number;
  /** Open-loop rates for b in the full run (the quick run uses `rate` only). */
  rates: number[];
  bigConcurrency: number;
  /** Prompt playback in the big-concurrency phase, ms per prompt. */
  promptMs: number;
  replyDelayMs: number;
  mediaDelayMs: number;
  durationMs: number;
  warmupMs: number;
  bigDurationMs: number;
  classic: Array<'perl' | 'node'>;
  logLevel: string;
  /** Node flags for the processes of a, a2 and b. */
  nodeFlags: string[];
  /** Queues the AMI double has (8008 and 8009 among them). */
  amiQueues: number;
  redis?: BenchRedis;
  log: (line: string) => void;
}

export interface PhaseResult {
  id: string;
  label: string;
  target: string;
  load: LoadResult;
  cost: WindowCost;
  cpuMsPerSession: number;
  /** Failures during the warm-up before this phase (they count as failures of the run). */
  warmupFailures: Record<string, number>;
}

export interface Dialogue {
  login: string[];
  logout: string[];
}

export interface FastAgiBenchResult {
  phases: PhaseResult[];
  /** The calibrated dialogue of each target, number replaced by N. */
  dialogues: Record<string, Dialogue>;
  /** Targets whose dialogue differs from b's. */
  dialogueMismatches: string[];
  /** b only: where Asterisk (the double) disagrees with what the toggles said; empty when all agree. */
  consistency: string[];
}

const QUEUE = '8008';
const CALIBRATION_NUMBER = '79990000001';

export function poolNumbers(count: number, base = 79_120_000_000): string[] {
  return Array.from({ length: count }, (_, i) => String(base + i));
}

/** One toggle in, one out, for a number of its own; every command line recorded. */
async function calibrate(port: number, passExpected: boolean): Promise<Dialogue> {
  const run = async (expected: QueueStat) => {
    const r = await playSession({
      port,
      script: `queue-toggle?queue=${QUEUE}`,
      callerId: CALIBRATION_NUMBER,
      uniqueid: `1795314022.${expected === 'LOGGEDIN' ? 1 : 2}`,
      args: passExpected ? [expected] : undefined,
      timeoutMs: 10_000,
      record: true,
    });
    const verdict = judgeToggle(r, expected);
    if (verdict) throw new Error(`calibration toggle on port ${port} failed: ${verdict}`);
    return (r.lines ?? []).map((l) => l.replaceAll(CALIBRATION_NUMBER, 'N'));
  };
  return { login: await run('LOGGEDIN'), logout: await run('LOGGEDOUT') };
}

async function phase(
  o: FastAgiBenchOptions,
  id: string,
  label: string,
  target: Target,
  workload: Workload,
  run: { closed: number } | { rate: number },
  p: { warmupMs: number; durationMs: number },
): Promise<PhaseResult> {
  o.log(`  ${id}: ${label}`);
  let warmupFailures: Record<string, number> = {};
  if (p.warmupMs > 0) {
    const warm = await runClosedLoop({ workload, concurrency: 'closed' in run ? run.closed : o.concurrency, durationMs: p.warmupMs });
    warmupFailures = warm.failures;
  }
  await target.begin();
  const load = 'closed' in run
    ? await runClosedLoop({ workload, concurrency: run.closed, durationMs: p.durationMs })
    : await runOpenLoop({ workload, rate: run.rate, durationMs: p.durationMs });
  const cost = await target.end();
  return { id, label, target: target.name, load, cost, cpuMsPerSession: load.sessions ? cost.cpuMs / load.sessions : Number.NaN, warmupFailures };
}

function workloadFor(target: Target, o: FastAgiBenchOptions, numbers: readonly string[], passExpected: boolean, delays?: { mediaDelayMs: number }) {
  return new ToggleWorkload({
    port: target.port,
    numbers,
    queue: QUEUE,
    passExpected,
    replyDelayMs: o.replyDelayMs,
    mediaDelayMs: delays?.mediaDelayMs ?? o.mediaDelayMs,
    timeoutMs: 60_000,
  });
}

export async function runFastAgiBench(o: FastAgiBenchOptions): Promise<FastAgiBenchResult> {
  const phases: PhaseResult[] = [];
  const dialogues: Record<string, Dialogue> = {};
  const consistency: string[] = [];
  const poolSize = Math.max(2 * o.bigConcurrency, 2 * o.concurrency, 200);
  const window = { warmupMs: o.warmupMs, durationMs: o.durationMs };
  const big = { closed: o.bigConcurrency };
  const bigWindow = { warmupMs: 0, durationMs: o.bigDurationMs };
  const bigLabel = `closed loop, ${o.bigConcurrency} concurrent, ${o.promptMs} ms per prompt`;

  const floors: Array<['a' | 'a2', 'dingdong' | 'agentgate']> = [['a', 'dingdong'], ['a2', 'agentgate']];
  for (const [id, layer] of floors) {
    if (!o.only.has(id)) continue;
    const t = await startFloor(layer, o.logLevel, o.nodeFlags);
    try {
      o.log(`${id}: ${t.name} (port ${t.port})`);
      dialogues[id] = await calibrate(t.port, true);
      const w = workloadFor(t, o, poolNumbers(poolSize), true);
      phases.push(await phase(o, id, `closed loop, ${o.concurrency} concurrent`, t, w, { closed: o.concurrency }, window));
      // The floor's tail at b's open-loop rate: what the machine, the generator
      // and the protocol alone add to a p99, for b's to be read against.
      if (id === 'a') phases.push(await phase(o, `a-${o.rate}/s`, `open loop, ${o.rate} sessions/s`, t, w, { rate: o.rate }, { warmupMs: 0, durationMs: o.durationMs }));
      if (id === 'a' && !o.quick) {
        const wb = workloadFor(t, o, poolNumbers(poolSize, 79_130_000_000), true, { mediaDelayMs: o.promptMs });
        phases.push(await phase(o, `${id}-${o.bigConcurrency}`, bigLabel, t, wb, big, bigWindow));
      }
    } finally {
      await t.stop();
    }
  }

  if (o.only.has('b')) {
    if (!o.redis) throw new Error('b needs Redis');
    const double: Child = await startAmiDouble(o.amiQueues);
    const numbers = poolNumbers(poolSize);
    await o.redis.allow(QUEUE, [...numbers, CALIBRATION_NUMBER]);
    const t = await startAgentgate({ amiPort: Number(double.info.port), redis: o.redis, logLevel: o.logLevel, nodeFlags: o.nodeFlags });
    try {
      o.log(`b: agentgate queue-toggle (port ${t.port}, AMI double on ${double.info.port}, Redis prefix ${o.redis.prefix})`);
      dialogues.b = await calibrate(t.port, false);
      const w = workloadFor(t, o, numbers, false);
      phases.push(await phase(o, 'b', `closed loop, ${o.concurrency} concurrent`, t, w, { closed: o.concurrency }, window));
      for (const rate of o.quick ? [o.rate] : o.rates) {
        phases.push(await phase(o, `b-${rate}/s`, `open loop, ${rate} toggles/s`, t, w, { rate }, { warmupMs: 0, durationMs: o.durationMs }));
      }
      // The same numbers in the states the toggles left them, now with prompts that
      // take time, so that bigConcurrency sessions are really open at once.
      w.setDelays({ mediaDelayMs: o.promptMs });
      phases.push(await phase(o, `b-${o.bigConcurrency}`, bigLabel, t, w, big, bigWindow));
      // Every toggle was judged by what it told the caller; check Asterisk agrees.
      // By number: a mobile is a member through the confirm context or not, as the service is configured.
      const expected = w.loggedIn();
      const members = new Map((await double.call<string[]>('members', { queue: QUEUE })).map((i) => [numberOfInterface(i) ?? i, i]));
      const missing = expected.filter((n) => !members.delete(n));
      const pool = new Set(numbers);
      const extra = [...members].filter(([n]) => pool.has(n) && !w.retired.has(n)).map(([, i]) => i);
      if (missing.length) consistency.push(`${missing.length} number(s) told LOGGEDIN are not members in Asterisk, e.g. ${missing[0]}`);
      if (extra.length) consistency.push(`${extra.length} number(s) told LOGGEDOUT are still members in Asterisk, e.g. ${extra[0]}`);
    } finally {
      await t.stop();
      await double.stop();
    }
  }

  if (o.only.has('c')) {
    for (const kind of o.classic) {
      const t = await startClassic(kind);
      try {
        const id = `c-${kind}`;
        o.log(`${id}: ${t.name} (port ${t.port})`);
        dialogues[id] = await calibrate(t.port, true);
        const w = workloadFor(t, o, poolNumbers(poolSize), true);
        phases.push(await phase(o, id, `closed loop, ${o.concurrency} concurrent`, t, w, { closed: o.concurrency }, { warmupMs: Math.min(o.warmupMs, 500), durationMs: o.durationMs }));
      } finally {
        await t.stop();
      }
    }
  }

  const reference = dialogues.b;
  const dialogueMismatches = reference
    ? Object.entries(dialogues).filter(([id, d]) => id !== 'b' && JSON.stringify(d) !== JSON.stringify(reference)).map(([id]) => id)
    : [];
  return { phases, dialogues, dialogueMismatches, consistency };
}
