// The three things under test, each started in a process of its own, and what
// each costs during a measurement window: CPU of that process (for c, of the
// scripts it spawned) and peak memory (VmHWM reset at the window's start; for
// c, the summed RSS of the scripts alive at once, sampled every 10 ms).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './support/child.ts';
import { targetEnv } from './support/start-flags.ts';
import type { BenchRedis } from './support/redis.ts';
import type { MemoryBreakdown } from './support/memory-breakdown.ts';
import type { GcTotals, SelfStats } from './support/self-stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface WindowCost {
  /** CPU of the thing under test during the window, ms. */
  cpuMs: number;
  /** Peak memory during the window, bytes (undefined off Linux). */
  peakRss?: number;
  /** Peak private memory (RSS without mapped files such as the node binary), bytes. */
  peakPrivateRss?: number;
  /** Redis CPU during the window, ms (b only). */
  redisCpuMs?: number;
  /** c only: CPU of the launcher standing in for Asterisk's fork/exec (not counted in cpuMs). */
  launcherCpuMs?: number;
  /** c only: most scripts alive at once. */
  peakLive?: number;
  /** b only: what went to Redis and Asterisk during the window. */
  wire?: WireCounts;
  /** How late the event loop of the thing under test ran during the window, ms (not for c). */
  loopDelay?: SelfStats['loopDelay'];
  /** a, a2, b: garbage collections in the window (pauses on the main thread, ms). */
  gc?: GcTotals;
  /** a, a2, b: where the memory went at the highest RSS sampled in the window (V8 spaces, smaps). */
  memory?: MemoryBreakdown;
}

/** Redis commands, Redis writes (a pipeline or MULTI is one), AMI actions by name. */
export interface WireCounts {
  redisCommands: number;
  redisWrites: number;
  redisByCommand: Record<string, number>;
  amiActions: Record<string, number>;
}

function delta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b)) if (v - (a[k] ?? 0) > 0) out[k] = v - (a[k] ?? 0);
  return out;
}

function wireDelta(a: WireCounts, b: WireCounts): WireCounts {
  return {
    redisCommands: b.redisCommands - a.redisCommands, redisWrites: b.redisWrites - a.redisWrites,
    redisByCommand: delta(a.redisByCommand, b.redisByCommand), amiActions: delta(a.amiActions, b.amiActions),
  };
}

export interface Target {
  readonly name: string;
  readonly port: number;
  readonly child: Child;
  begin(): Promise<void>;
  end(): Promise<WindowCost>;
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processTarget(name: string, child: Child, redis?: BenchRedis, counted = false): Target {
  let before: SelfStats | undefined;
  let redisBefore = 0;
  let wireBefore: WireCounts | undefined;
  return {
    name,
    port: Number(child.info.port),
    child,
    async begin() {
      await child.call('resetPeak');
      if (process.env.BENCH_MEM_TIMELINE) await child.call('timeline');
      if (counted) wireBefore = await child.call<WireCounts>('wire');
      before = await child.call<SelfStats>('stats');
      if (redis) redisBefore = await redis.serverCpuMs();
    },
    async end() {
      // The breakdown first: the RSS may still grow after the window while the last sessions end.
      const memory = await child.call<MemoryBreakdown>('peakBreakdown');
      if (process.env.BENCH_MEM_TIMELINE) (memory as unknown as { timeline: unknown }).timeline = await child.call('timeline');
      const after = await child.call<SelfStats>('stats');
      const gc = { minor: after.gc.minor - before!.gc.minor, minorMs: after.gc.minorMs - before!.gc.minorMs, major: after.gc.major - before!.gc.major, majorMs: after.gc.majorMs - before!.gc.majorMs };
      const cost: WindowCost = { cpuMs: after.cpuMs - before!.cpuMs, peakRss: after.peakRss, peakPrivateRss: after.peakPrivateRss, gc, memory, loopDelay: after.loopDelay };
      if (redis) cost.redisCpuMs = (await redis.serverCpuMs()) - redisBefore;
      if (wireBefore) cost.wire = wireDelta(wireBefore, await child.call<WireCounts>('wire'));
      return cost;
    },
    stop: () => child.stop(),
  };
}

/** (b) agentgate as `npm start` runs it, against the AMI double on `amiPort` and the bench's Redis prefix. */
export async function startAgentgate(o: { amiPort: number; redis: BenchRedis; logLevel: string; nodeFlags?: string[]; env?: Record<string, string> }): Promise<Target> {
  const child = await startChild(path.join(here, 'targets', 'agentgate-service.ts'), {
    prime: true,
    execArgv: ['--expose-gc', ...(o.nodeFlags ?? [])],
    env: {
      FASTAGI_HOST: '127.0.0.1',
      FASTAGI_PORT: '0',
      FASTAGI_MAX_SESSIONS: '5000',
      // The generator is one address, as one Asterisk is: the per-address cap must not be what is measured.
      FASTAGI_MAX_SESSIONS_PER_ADDRESS: '5000',
      AMI_HOST: '127.0.0.1',
      AMI_PORT: String(o.amiPort),
      AMI_USERNAME: 'agentgate',
      AMI_SECRET: 'bench',
      AMI_ACTION_TIMEOUT_MS: '5000',
      REDIS_URL: o.redis.url,
      REDIS_PREFIX: o.redis.prefix,
      // The shift-start rush is the point: the per-number limit must not be what is measured.
      TOGGLE_RATE_LIMIT: '10000',
      TOGGLE_RATE_WINDOW_SEC: '60',
      AUDIT_MAX_LEN: '10000',
      LOG_LEVEL: o.logLevel,
      ...targetEnv,
      ...o.env,
    },
  });
  return processTarget('agentgate', child, o.redis, true);
}

/** (a) the bare ding-dong floor, or (a2) the same dialogue through agentgate's FastAGI layer. */
export async function startFloor(layer: 'dingdong' | 'agentgate', logLevel: string, nodeFlags: string[] = []): Promise<Target> {
  const child = await startChild(path.join(here, 'targets', 'floor-dingdong.ts'), {
    prime: true,
    args: [layer],
    execArgv: nodeFlags,
    env: { LOG_LEVEL: logLevel, FASTAGI_MAX_SESSIONS: '5000', ...targetEnv },
  });
  return processTarget(layer === 'dingdong' ? 'ding-dong floor' : 'agentgate FastAGI layer', child);
}

interface ChildStats {
  childrenCpuMs?: number;
  spawned: number;
  spawnErrors: number;
  peakChildrenRss: number;
  peakChildrenPrivateRss: number;
  peakLive: number;
  live: number;
}

/** (c) a classic AGI script spawned per call (perl or node). */
export async function startClassic(kind: 'perl' | 'node'): Promise<Target> {
  const child = await startChild(path.join(here, 'targets', 'spawn-bridge.ts'), { args: [kind] });
  let scripts0 = 0;
  let launcher0 = 0;
  return {
    name: `classic AGI (${kind}, process per call)`,
    port: Number(child.info.port),
    child,
    async begin() {
      await pause(100); // let the launcher reap the warm-up's scripts
      scripts0 = (await child.call<ChildStats>('childStats')).childrenCpuMs ?? Number.NaN;
      launcher0 = (await child.call<SelfStats>('stats')).cpuMs;
      await child.call('sampleStart');
    },
    async end() {
      await pause(100);
      await child.call('sampleStop');
      const s = await child.call<ChildStats>('childStats');
      const launcher = (await child.call<SelfStats>('stats')).cpuMs - launcher0;
      return { cpuMs: (s.childrenCpuMs ?? Number.NaN) - scripts0, peakRss: s.peakChildrenRss, peakPrivateRss: s.peakChildrenPrivateRss, launcherCpuMs: launcher, peakLive: s.peakLive };
    },
    stop: () => child.stop(),
  };
}

/** The AMI double (standing in for Asterisk) in its own process. */
export function startAmiDouble(queues = 2): Promise<Child> {
  return startChild(path.join(here, 'ami', 'double-child.ts'), { env: { BENCH_AMI_QUEUES: String(queues) } });
}
