// Tables for the terminal (markdown, ready to paste into a README) and the
// machine description that goes with every result.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AmiBenchResult } from './ami/ami-bench.ts';
import type { AsteriskBenchResult } from './asterisk/asterisk-bench.ts';
import type { FastAgiBenchResult, PhaseResult } from './scenarios.ts';
import { breakdownLine } from './support/memory-breakdown.ts';
import { median, round } from './support/stats.ts';

export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  os: string;
  memoryGB: number;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return { nproc: os.availableParallelism(), cpu, node: process.version, os: `${os.type()} ${os.release()}`, memoryGB: round(os.totalmem() / 2 ** 30), loadAverage: round(os.loadavg()[0] ?? 0) };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : String(round(bytes / 2 ** 20)));
const ms = (n: number) => (Number.isFinite(n) ? String(round(n)) : 'n/a');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function phaseTable(phases: PhaseResult[]): string {
  return table(
    ['', 'what', 'load', 'sessions/s', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms/session', '+ Redis ms', 'peak RSS MB', 'private MB', 'failed'],
    phases.map((p) => [
      p.id,
      p.target,
      p.label,
      ms(p.load.sessionsPerSec),
      ms(p.load.latencyMs.p50),
      ms(p.load.latencyMs.p99),
      ms(p.load.latencyMs.max),
      ms(p.cpuMsPerSession),
      p.cost.redisCpuMs === undefined ? '' : ms(p.cost.redisCpuMs / p.load.sessions),
      mb(p.cost.peakRss),
      mb(p.cost.peakPrivateRss),
      String(p.load.failed),
    ]),
  );
}

/** Where the memory went at the peak of the memory phases (`<id>-<bigConcurrency>`); the full breakdown of every phase is in the JSON. */
export function memoryLines(phases: PhaseResult[], bigConcurrency: number): string {
  return phases
    .filter((p) => p.id.endsWith(`-${bigConcurrency}`) && p.cost.memory)
    .map((p) => {
      const gc = p.cost.gc ? ` GC in the window: ${p.cost.gc.minor} scavenges (${ms(p.cost.gc.minorMs)} ms), ${p.cost.gc.major} mark-compacts (${ms(p.cost.gc.majorMs)} ms).` : '';
      return `Memory at the peak of ${p.id}: ${breakdownLine(p.cost.memory!)}.${gc}`;
    })
    .join('\n');
}

/** Per toggle, what went over the wire from b to Redis and to Asterisk (the AMI double), by phase. */
export function wireTable(phases: PhaseResult[]): string {
  const per = (n: number, p: PhaseResult) => ms(n / p.load.sessions);
  return table(
    ['', 'load', 'Redis commands/toggle', 'Redis writes/toggle', 'AMI actions/toggle', 'AMI actions by name, per toggle'],
    phases.filter((p) => p.cost.wire && p.load.sessions > 0).map((p) => {
      const w = p.cost.wire!;
      const ami = Object.values(w.amiActions).reduce((a, b) => a + b, 0);
      return [
        p.id, p.label, per(w.redisCommands, p), per(w.redisWrites, p), per(ami, p),
        Object.entries(w.amiActions).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${per(v, p)}`).join(', '),
      ];
    }),
  );
}

export interface TargetCheck {
  /** The target, the same words in every run (repeat.ts groups runs by it). */
  what: string;
  measured: number;
  unit: string;
  goal: string;
  met: boolean;
  /** What this run measured beside it, to read it by. */
  note?: string;
}

export function targetChecks(r: FastAgiBenchResult, o: { concurrency: number; rate: number; bigConcurrency: number }): TargetCheck[] {
  const find = (id: string) => r.phases.find((p) => p.id === id);
  const checks: TargetCheck[] = [];
  const a = find('a');
  const b = find('b');
  if (a && b) {
    const v = b.load.sessionsPerSec / a.load.sessionsPerSec;
    checks.push({ what: `b/a throughput, ${o.concurrency} concurrent`, measured: v, unit: '', goal: '>= 0.5', met: v >= 0.5 });
  }
  if (b) checks.push({ what: `b CPU per toggle, ${o.concurrency} concurrent`, measured: b.cpuMsPerSession, unit: 'ms', goal: '<= 0.8 ms', met: b.cpuMsPerSession <= 0.8 });
  if (b?.cost.wire && b.load.sessions) {
    const w = b.cost.wire;
    const redis = w.redisCommands / b.load.sessions;
    checks.push({ what: 'b Redis commands per toggle', measured: redis, unit: '', goal: '<= 2', met: redis <= 2.05 });
    // The toggle's own actions: what the sync sends after it (lamps, queue_log session lines) is counted apart.
    const own = ['QueueAdd', 'QueueRemove', 'QueueMemberRingInUse', 'QueueStatus'].reduce((n, a) => n + (w.amiActions[a] ?? 0), 0) / b.load.sessions;
    const all = Object.values(w.amiActions).reduce((n, v) => n + v, 0) / b.load.sessions;
    checks.push({ what: 'b AMI actions per toggle: the change itself', measured: own, unit: '', goal: '<= 2', met: own <= 2.05 });
    checks.push({ what: 'b AMI actions per toggle: with the BLF lamp and the queue_log line', measured: all, unit: '', goal: '<= 2', met: all <= 2.05 });
  }
  const open = find(`b-${o.rate}/s`);
  if (open) {
    const v = open.load.latencyMs.p99;
    // What the machine and the generator alone put in a tail at this rate, and how long b's own loop stalled.
    const floor = find(`a-${o.rate}/s`);
    const context = [
      ...(floor ? [`floor a at the same rate: ${ms(floor.load.latencyMs.p99)} ms`] : []),
      ...(open.cost.loopDelay ? [`b's event loop late by ${ms(open.cost.loopDelay.max)} ms at most`] : []),
    ];
    checks.push({ what: `b p99 latency at ${o.rate} toggles/s`, measured: v, unit: 'ms', goal: '< 10 ms', met: v < 10, ...(context.length ? { note: context.join('; ') } : {}) });
  }
  for (const c of r.phases.filter((p) => p.id.startsWith('c-'))) {
    if (!b) break;
    const v = b.load.sessionsPerSec / c.load.sessionsPerSec;
    checks.push({ what: `b/${c.id} throughput, ${o.concurrency} concurrent`, measured: v, unit: '', goal: '>= 50', met: v >= 50 });
  }
  const bigB = find(`b-${o.bigConcurrency}`);
  if (bigB?.cost.peakRss !== undefined) {
    const v = bigB.cost.peakRss / 2 ** 20;
    checks.push({ what: `b peak RSS, ${o.bigConcurrency} concurrent sessions`, measured: v, unit: 'MB', goal: '< 150 MB', met: v < 150 });
  }
  if (bigB?.cost.peakPrivateRss !== undefined) {
    // RSS counts the node binary's mapped pages, shared with every Node process; this is the part that is the service's own.
    const v = bigB.cost.peakPrivateRss / 2 ** 20;
    checks.push({ what: `b peak private RSS (no mapped files), ${o.bigConcurrency} concurrent`, measured: v, unit: 'MB', goal: '< 150 MB', met: v < 150 });
  }
  return checks;
}

/** Through a real Asterisk: agentgate's toggle against the empty FastAGI floor, in calls/s. */
export function asteriskChecks(r: AsteriskBenchResult): TargetCheck[] {
  const empty = r.phases.find((p) => p.extension === 'empty');
  const toggle = r.phases.find((p) => p.extension === 'toggle');
  if (!empty || !toggle) return [];
  const v = toggle.load.callsPerSec / empty.load.callsPerSec;
  return [{ what: `ast-toggle/ast-empty calls/s through Asterisk, ${r.concurrency} concurrent`, measured: v, unit: '', goal: '>= 0.85', met: v >= 0.85 }];
}

/**
 * The targets over repeated runs (--runs): lowest, median and highest measured,
 * and in how many runs each was met. On a shared 2-core machine one run moves by
 * a quarter either way; a range is what can be quoted.
 */
export function repeatedChecksTable(runs: ReadonlyArray<readonly TargetCheck[]>): string {
  const byWhat = new Map<string, TargetCheck[]>();
  for (const checks of runs) for (const c of checks) byWhat.set(c.what, [...(byWhat.get(c.what) ?? []), c]);
  return table(['target', 'lowest', 'median', 'highest', 'goal', 'met in'], [...byWhat].map(([what, cs]) => {
    const v = cs.map((c) => c.measured).sort((x, y) => x - y);
    const unit = cs[0]!.unit ? ` ${cs[0]!.unit}` : '';
    return [what, `${round(v[0]!)}${unit}`, `${round(median(v))}${unit}`, `${round(v.at(-1)!)}${unit}`, cs[0]!.goal, `${cs.filter((c) => c.met).length} of ${runs.length}`];
  }));
}

export function checksTable(checks: TargetCheck[]): string {
  return table(['target', 'measured', 'goal', ''], checks.map((c) => [c.note ? `${c.what} (${c.note})` : c.what, `${round(c.measured)}${c.unit ? ` ${c.unit}` : ''}`, c.goal, c.met ? 'met' : '**missed**']));
}

export function asteriskTable(r: AsteriskBenchResult): string {
  const opt = (n: number | undefined) => (n === undefined ? '' : ms(n));
  return table(
    ['', 'what', 'load', 'calls/s', 'p50 ms', 'p99 ms', 'max ms', 'Asterisk CPU ms/call', 'agentgate CPU ms/call', '+ Redis ms', 'empty AGI server CPU ms/call', 'failed', 'Asterisk warnings/errors'],
    r.phases.map((p) => [
      p.id,
      p.what,
      p.label,
      ms(p.load.callsPerSec),
      ms(p.load.latencyMs.p50),
      ms(p.load.latencyMs.p99),
      ms(p.load.latencyMs.max),
      ms(p.asteriskCpuMsPerCall),
      // In ast-empty agentgate is running but idle: its figure is what idling costs.
      p.agentgateCpuMsPerCall === undefined ? '' : `${ms(p.agentgateCpuMsPerCall)}${p.extension === 'toggle' ? '' : ' (idle)'}`,
      p.extension === 'toggle' ? opt(p.redisCpuMsPerCall) : '',
      opt(p.emptyAgiCpuMsPerCall),
      String(p.load.failed),
      `${p.asteriskLog.warnings}/${p.asteriskLog.errors}`,
    ]),
  );
}

export function amiTable(r: AmiBenchResult): string {
  return table(
    ['client', `Pings/s (${r.clients[0]?.actions.window ?? '?'} in flight)`, 'CPU µs/action', `QueueStatus ${r.members} members: ms`, 'CPU ms/QueueStatus', 'event flood: CPU µs/event', 'events/s', 'peak RSS MB'],
    r.clients.map((c) => [
      c.flavour === 'plain' ? 'asterisk-manager 0.2.0 (plain)' : c.flavour === 'patched' ? 'asterisk-manager, patched' : 'AmiClient (patched + typed)',
      ms(c.actions.perSec),
      ms(c.actions.cpuUsPerAction),
      ms(c.queueStatus.medianMs),
      ms(c.queueStatus.cpuMsPerCall),
      ms(c.flood.cpuUsPerEvent),
      ms(c.flood.eventsPerSec),
      mb(c.peakRss),
    ]),
  );
}

export function machineLine(m: Machine, command: string): string {
  return `Machine: ${m.nproc} × ${m.cpu}, ${m.memoryGB} GB, ${m.os}, Node ${m.node}, load average ${m.loadAverage} at the start. Command: \`${command}\`.`;
}
