// Drives many FastAGI sessions at a server and judges each one.
// Closed loop: N sessions always in flight, each starting when another ends
// (throughput at a given concurrency). Open loop: sessions start on a fixed
// schedule whatever the server does, and latency counts from the scheduled
// start, so a server that falls behind shows it (no coordinated omission).
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from '../support/stats.ts';
import { playSession, type PeerResult, type PeerSession } from './peer.ts';

/** Where sessions come from and how each is judged. */
export interface Workload {
  /** The next session, or undefined when none can start now (every number busy). */
  next(): { session: PeerSession; finish: (r: PeerResult) => string | undefined } | undefined;
}

export interface LoadResult {
  mode: 'closed' | 'open';
  concurrency?: number;
  rate?: number;
  /** Sessions that ended, well or not. */
  sessions: number;
  ok: number;
  failed: number;
  /** Failure reason -> count. */
  failures: Record<string, number>;
  wallMs: number;
  sessionsPerSec: number;
  latencyMs: LatencySummary;
  /** Mean AGI commands per successful session. */
  commandsPerSession: number;
  /** CPU the generator itself used, per session (ms): a check that it was not the bottleneck. */
  generatorCpuMsPerSession: number;
  /** Open loop: the latest a session started after its scheduled time. */
  maxStartLagMs?: number;
  /** Open loop: how late sessions started (the generator's own lag, which the latency includes). */
  startLagMs?: LatencySummary;
  /** Open loop: sessions never started because too many were outstanding. */
  dropped?: number;
}

class Tally {
  readonly latencies: number[] = [];
  readonly failures: Record<string, number> = {};
  ok = 0;
  failed = 0;
  commands = 0;

  record(startedAt: number, result: PeerResult, verdict: string | undefined): void {
    if (verdict === undefined) {
      this.ok += 1;
      this.commands += result.commands;
      this.latencies.push(result.endedAt! - startedAt);
    } else {
      this.failed += 1;
      this.failures[verdict] = (this.failures[verdict] ?? 0) + 1;
    }
  }

  fail(reason: string): void {
    this.failed += 1;
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}

async function runOne(workload: Workload, tally: Tally, startedAt: number): Promise<boolean> {
  const plan = workload.next();
  if (!plan) return false;
  const result = await playSession(plan.session);
  let verdict: string | undefined;
  try {
    verdict = plan.finish(result);
  } catch (err) {
    verdict = `check threw: ${(err as Error).message}`;
  }
  tally.record(startedAt, result, verdict);
  return true;
}

function finishResult(base: Pick<LoadResult, 'mode' | 'concurrency' | 'rate'>, tally: Tally, wallMs: number, cpuBefore: NodeJS.CpuUsage): LoadResult {
  const cpu = process.cpuUsage(cpuBefore);
  const sessions = tally.ok + tally.failed;
  return {
    ...base,
    sessions,
    ok: tally.ok,
    failed: tally.failed,
    failures: tally.failures,
    wallMs,
    sessionsPerSec: (tally.ok * 1000) / wallMs,
    latencyMs: summarize(tally.latencies),
    commandsPerSession: tally.ok ? tally.commands / tally.ok : 0,
    generatorCpuMsPerSession: sessions ? (cpu.user + cpu.system) / 1000 / sessions : 0,
  };
}

/** `concurrency` sessions in flight until `durationMs` has passed (or `maxSessions` have started). */
export async function runClosedLoop(o: { workload: Workload; concurrency: number; durationMs: number; maxSessions?: number }): Promise<LoadResult> {
  const tally = new Tally();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  let started = 0;
  const worker = async () => {
    while (performance.now() < deadline && (o.maxSessions === undefined || started < o.maxSessions)) {
      started += 1;
      if (!(await runOne(o.workload, tally, performance.now()))) {
        started -= 1;
        await new Promise((r) => setTimeout(r, 1)); // every number busy: wait for one
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return finishResult({ mode: 'closed', concurrency: o.concurrency }, tally, performance.now() - t0, cpuBefore);
}

/** Sessions started `rate` per second on a fixed schedule for `durationMs`. */
export async function runOpenLoop(o: { workload: Workload; rate: number; durationMs: number; maxOutstanding?: number }): Promise<LoadResult> {
  const tally = new Tally();
  const cpuBefore = process.cpuUsage();
  const interval = 1000 / o.rate;
  const total = Math.round((o.rate * o.durationMs) / 1000);
  const maxOutstanding = o.maxOutstanding ?? 5000;
  const running = new Set<Promise<unknown>>();
  let dropped = 0;
  const lags: number[] = [];
  const t0 = performance.now();
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total && t0 + k * interval <= now) {
        const scheduled = t0 + k * interval;
        k += 1;
        lags.push(now - scheduled);
        if (running.size >= maxOutstanding) {
          dropped += 1;
          tally.fail('not started: too many sessions outstanding');
          continue;
        }
        const p: Promise<unknown> = runOne(o.workload, tally, scheduled).then((started) => {
          if (!started) tally.fail('not started: no idle caller number');
        });
        running.add(p);
        void p.finally(() => running.delete(p));
      }
      if (k >= total) resolve();
      else setTimeout(tick, Math.max(0, t0 + k * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(running);
  const res = finishResult({ mode: 'open', rate: o.rate }, tally, performance.now() - t0, cpuBefore);
  const startLagMs = summarize(lags);
  return { ...res, maxStartLagMs: startLagMs.count ? startLagMs.max : 0, startLagMs, dropped };
}
