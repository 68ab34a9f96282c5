// The load generator of the real-Asterisk phase: calls placed with AMI
// Originate (async) on Local/<exten>@agbench-calls, `concurrency` of them
// always in flight, each starting when one ends (closed loop), until `calls`
// have started. A call ends for the generator when its UserEvent reports what
// it decided; its duration counts from the Originate sent to that event.
//
// Callers are a pool of mobile numbers, each in one call at a time (a phone
// makes one call at a time); the pool remembers what each number's toggle must
// have done (LOGGEDIN after LOGGEDOUT and back) and judges every call by the
// QUEUESTAT it ended with. A number whose call failed has an unknown state from
// then on and is retired from the pool.
import { performance } from 'node:perf_hooks';
import type { AdminAmi, AmiMessage } from '../../asterisk/support/admin-ami.ts';
import { summarize, type LatencySummary } from '../support/stats.ts';
import { CALLS_CONTEXT, DONE_EVENT, type Extension } from './dialplan.ts';

export type QueueStat = 'LOGGEDIN' | 'LOGGEDOUT';

export interface CallLoad {
  calls: number;
  ok: number;
  failed: number;
  /** Failure reason -> count. */
  failures: Record<string, number>;
  wallMs: number;
  callsPerSec: number;
  /** Originate sent -> the call's report, successful calls. */
  latencyMs: LatencySummary;
  /** CPU the generator itself used, per call (ms). */
  generatorCpuMsPerCall: number;
}

/** Numbers and what each has been told; `toggles: false` for the empty extension, which decides nothing. */
export class CallerPool {
  readonly #state = new Map<string, QueueStat>();
  readonly #idle: string[];
  readonly retired = new Set<string>();
  readonly toggles: boolean;

  constructor(numbers: readonly string[], toggles: boolean) {
    this.toggles = toggles;
    this.#idle = [...numbers];
    for (const n of numbers) this.#state.set(n, 'LOGGEDOUT');
  }

  take(): string | undefined {
    return this.#idle.shift();
  }

  expected(number: string): QueueStat {
    return this.#state.get(number) === 'LOGGEDIN' ? 'LOGGEDOUT' : 'LOGGEDIN';
  }

  /** Why a call is not what it should be, or undefined when it is. */
  judge(number: string, report: AmiMessage | undefined, error?: string): string | undefined {
    let verdict = error;
    if (verdict === undefined && report) {
      if (report.AgiStatus && report.AgiStatus !== 'SUCCESS') verdict = `AGISTATUS=${report.AgiStatus}`;
      else if (this.toggles) {
        const want = this.expected(number);
        if (report.QueueStat !== want) verdict = `QUEUESTAT=${report.QueueStat || '(not set)'}${report.Error ? ` AGENTGATE_ERROR=${report.Error}` : ''}, expected ${want}`;
      }
    }
    if (verdict === undefined) {
      if (this.toggles) this.#state.set(number, this.expected(number));
      this.#idle.push(number);
    } else {
      this.retired.add(number);
      this.#state.delete(number);
    }
    return verdict;
  }

  /** Numbers that, by what their calls said, are members now. */
  loggedIn(): string[] {
    return [...this.#state].filter(([, s]) => s === 'LOGGEDIN').map(([n]) => n).sort();
  }
}

let seq = 0;

/**
 * Places `calls` calls to `exten`, `concurrency` at a time, through `ami` (a
 * session that receives user events). Each call's report is its UserEvent.
 */
export async function runCalls(o: { ami: AdminAmi; exten: Extension; pool: CallerPool; concurrency: number; calls: number; timeoutMs?: number }): Promise<CallLoad> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const waiting = new Map<string, (e: AmiMessage) => void>();
  const onEvent = (e: AmiMessage) => {
    if (e.Event !== 'UserEvent' || e.UserEvent !== DONE_EVENT) return;
    const done = waiting.get(e.Id ?? '');
    if (done) done(e);
  };
  o.ami.on('event', onEvent);

  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let started = 0;
  let inFlight = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const one = async (number: string) => {
    const id = `agbench-${process.pid}-${++seq}`;
    const sent = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const report = new Promise<AmiMessage | undefined>((resolve) => {
      waiting.set(id, resolve);
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    let error: string | undefined;
    let event: AmiMessage | undefined;
    try {
      const r = await o.ami.action({
        Action: 'Originate',
        Channel: `Local/${o.exten}@${CALLS_CONTEXT}`,
        // The calling half waits; it goes when the called half hangs up.
        Application: 'Wait',
        Data: '60',
        CallerID: `"Agent" <${number}>`,
        Timeout: String(timeoutMs),
        Async: 'true',
        Variable: `AGBENCH_ID=${id}`,
      }, timeoutMs);
      if (r.response.Response !== 'Success') error = `Originate refused: ${r.response.Message ?? '?'}`;
      else {
        event = await report;
        if (!event) error = `no report within ${timeoutMs} ms`;
      }
    } catch (err) {
      error = (err as Error).message;
    } finally {
      clearTimeout(timer);
      waiting.delete(id);
    }
    const verdict = o.pool.judge(number, event, error);
    if (verdict === undefined) {
      ok += 1;
      latencies.push(performance.now() - sent);
    } else {
      failed += 1;
      failures[verdict] = (failures[verdict] ?? 0) + 1;
    }
  };

  const worker = async () => {
    while (started < o.calls) {
      const number = o.pool.take();
      if (number === undefined) {
        // Every number is in a call (or retired): wait for one to come back.
        if (inFlight === 0) return; // all retired: nobody left to call
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      started += 1;
      inFlight += 1;
      await one(number).finally(() => (inFlight -= 1));
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    o.ami.off('event', onEvent);
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  const calls = ok + failed;
  return {
    calls,
    ok,
    failed,
    failures,
    wallMs,
    callsPerSec: (ok * 1000) / wallMs,
    latencyMs: summarize(latencies),
    generatorCpuMsPerCall: calls ? (c.user + c.system) / 1000 / calls : 0,
  };
}
