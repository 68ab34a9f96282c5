// What a process under test reports about itself when the runner asks.
import { activeResources, openDescriptors, peakRssBytes, privateRssBytes, resetPeakRss, rssBytes } from './procfs.ts';

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
}

// The kernel keeps a peak of the whole RSS only; the private part is sampled.
let peakPrivate: number | undefined;
const privateSampler = setInterval(() => {
  const now = privateRssBytes();
  if (now !== undefined) peakPrivate = Math.max(peakPrivate ?? 0, now);
}, 20);
privateSampler.unref();

function resetPeaks(): boolean {
  peakPrivate = privateRssBytes();
  return resetPeakRss();
}

export function selfStats(): SelfStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const priv = privateRssBytes();
  if (priv !== undefined) peakPrivate = Math.max(peakPrivate ?? 0, priv);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: rssBytes() ?? mem.rss,
    peakRss: peakRssBytes(),
    peakPrivateRss: peakPrivate,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
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
  resetPeak: () => resetPeaks(),
  resources: () => ({ active: activeResources(), descriptors: openDescriptors() }),
};
