// What a process under test reports about itself when the runner asks.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { memoryBreakdown, smapsSummary, type MemoryBreakdown } from './memory-breakdown.ts';
import { activeResources, openDescriptors, peakRssBytes, residentBytes, resetPeakRss } from './procfs.ts';

export interface SelfStats {
  /** User + system CPU since the process started, ms. */
  cpuMs: number;
  rss: number;
  /** Peak RSS since start or the last reset; undefined off Linux. */
  peakRss?: number;
  /** Peak private (anonymous) RSS since the last reset, sampled every 20 ms; undefined off Linux. */
  peakPrivateRss?: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Garbage collections since start: count and pause time, ms, young generation (scavenges) and the rest (mark-compact). */
  gc: GcTotals;
  /** How late the event loop ran since the last reset (ms): a blocked loop delays every session in flight. */
  loopDelay: { p50: number; p99: number; max: number };
}

export interface GcTotals {
  minor: number;
  minorMs: number;
  major: number;
  majorMs: number;
}

const gc: GcTotals = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      gc.minor++;
      gc.minorMs += e.duration;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
      gc.major++;
      gc.majorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

// The kernel keeps a peak of the whole RSS only; the private part is sampled.
let peakPrivate: number | undefined;
// Where the memory went at the highest RSS sampled since the last reset: taken
// again whenever the RSS has grown by BREAKDOWN_STEP over the last one taken
// (V8's statistics and /proc/self/smaps_rollup: cheap, but not for every sample).
const timeline: number[][] = [];
let timelineTick = 0;
let peakBreakdown: MemoryBreakdown | undefined;
let breakdownAt = 0;
const BREAKDOWN_STEP = 2 ** 20;
const privateSampler = setInterval(() => {
  const { rss, anon } = residentBytes();
  if (anon !== undefined) peakPrivate = Math.max(peakPrivate ?? 0, anon);
  if (process.env.BENCH_MEM_TIMELINE) {
    const b = memoryBreakdown();
    const row = [Math.round(performance.now()), b.rss, b.rssAnon ?? 0, b.heap.physical, b.spaces.new_space?.physical ?? 0, b.spaces.old_space?.physical ?? 0, b.heap.used, gc.minor, gc.major];
    if (process.env.BENCH_MEM_TIMELINE === 'smaps' && ++timelineTick % 5 === 0) {
      const sm = smapsSummary();
      row.push(sm?.rssByKind['[heap]'] ?? 0, sm?.pages256 ?? 0, sm?.bigAnonMappings.rss ?? 0, sm?.otherAnon ?? 0);
    }
    timeline.push(row);
    if (timeline.length > 3000) timeline.shift();
  }
  if (rss !== undefined && rss >= breakdownAt + BREAKDOWN_STEP) {
    peakBreakdown = memoryBreakdown();
    breakdownAt = peakBreakdown.rss;
  }
}, 20);
privateSampler.unref();

// Sampled every 5 ms (each sample wakes the loop, on the CPU being measured);
// a stall longer than that still shows in full. Node records the time between
// samples, interval included (an idle loop reads 5.1 ms): the interval is
// taken off, so the figures say how late the loop was.
const LOOP_SAMPLE_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
const late = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
loopDelay.enable();

function resetPeaks(): boolean {
  loopDelay.reset();
  peakPrivate = residentBytes().anon;
  peakBreakdown = memoryBreakdown();
  breakdownAt = peakBreakdown.rss;
  return resetPeakRss();
}

export function selfStats(): SelfStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const { rss, anon } = residentBytes();
  if (anon !== undefined) peakPrivate = Math.max(peakPrivate ?? 0, anon);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: rss ?? mem.rss,
    peakRss: peakRssBytes(),
    peakPrivateRss: peakPrivate,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    gc: { ...gc },
    loopDelay: { p50: late(loopDelay.percentile(50)), p99: late(loopDelay.percentile(99)), max: late(loopDelay.max) },
  };
}

/** Collects garbage (the process must run with --expose-gc) until the heap stops shrinking. */
export async function settleHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.995) return used;
    last = used;
  }
  return process.memoryUsage().heapUsed;
}

/** The commands every process under test answers. */
export const statsHandlers = {
  stats: () => selfStats(),
  /** The memory breakdown at the highest RSS sampled since the last resetPeak (now, if never reset), with the smaps summary of now. */
  peakBreakdown: () => ({ ...(peakBreakdown ?? memoryBreakdown()), smaps: memoryBreakdown(true).smaps }),
  /** The memory breakdown now, smaps summary included. */
  breakdown: () => memoryBreakdown(true),
  timeline: () => timeline.splice(0),
  resetPeak: () => resetPeaks(),
  resources: () => ({ active: activeResources(), descriptors: openDescriptors() }),
};
