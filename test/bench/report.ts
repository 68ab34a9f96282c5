// Tables for the terminal (markdown, ready to paste into a README) and the
// machine description that goes with every result.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { AmiBenchResult } from './ami/ami-bench.ts';
import type { FastAgiBenchResult, PhaseResult } from './scenarios.ts';
import { round } from './support/stats.ts';

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

export interface TargetCheck {
  what: string;
  measured: number;
  unit: string;
  goal: string;
  met: boolean;
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
  const open = find(`b-${o.rate}/s`);
  if (open) {
    const v = open.load.latencyMs.p99;
    checks.push({ what: `b p99 latency at ${o.rate} toggles/s`, measured: v, unit: 'ms', goal: '< 10 ms', met: v < 10 });
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

export function checksTable(checks: TargetCheck[]): string {
  return table(['target', 'measured', 'goal', ''], checks.map((c) => [c.what, `${round(c.measured)}${c.unit ? ` ${c.unit}` : ''}`, c.goal, c.met ? 'met' : '**missed**']));
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
