// The "through a real Asterisk" phase of `npm run bench`: one private Asterisk
// (test/asterisk/support: its own config dir, astdb, AMI port, the
// FreePBX-shaped fixture with queue 8008), one generator placing calls with AMI
// Originate, and three extensions measured one after another:
//   ast-empty     AGI() to a FastAGI server that answers nothing: the floor
//   ast-toggle    AGI() to agentgate's queue-toggle (prompts off), agentgate a
//                 process of its own as targets.ts starts it, logged in with the
//                 shipped AMI user, Redis under a prefix of this phase's own
//                 (agentgate restores into Asterisk the members its Redis
//                 records, and b leaves hundreds under its prefix)
//   ast-dialplan  the same toggle done in dialplan alone (QUEUE_MEMBER_LIST,
//                 AddQueueMember / RemoveQueueMember), no AGI
// agentgate runs during the first two (its AMI session is part of what Asterisk
// serves) and is stopped before the third, whose member events it would
// otherwise settle (and so make Asterisk answer its QueueStatus) while the
// dialplan-only toggle is measured. After each toggling phase the queue's
// members in Asterisk (QueueStatus) must be what the calls were told.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminAmi } from '../../asterisk/support/admin-ami.ts';
import { killOwnAsteriskNow, removeDir, startAsterisk, type RunningAsterisk } from '../../asterisk/support/asterisk.ts';
import type { AsteriskInstall } from '../../asterisk/support/binary.ts';
import { ADMIN_USER } from '../../asterisk/support/fixture.ts';
import { shippedAmiUser } from '../../asterisk/support/world.ts';
import { freePort } from '../../support/free-port.ts';
import { startChild, type Child } from '../support/child.ts';
import { processCpuMs, rssBytes } from '../support/procfs.ts';
import type { BenchRedis } from '../support/redis.ts';
import type { SelfStats } from '../support/self-stats.ts';
import { startAgentgate, type Target, type WindowCost } from '../targets.ts';
import { CallerPool, runCalls, type CallLoad } from './calls.ts';
import { BENCH_QUEUE, benchExtensions, type Extension } from './dialplan.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface AsteriskBenchOptions {
  install: AsteriskInstall;
  /** Calls in flight at once. */
  concurrency: number;
  /** Calls measured per extension (a warm-up before each is not counted). */
  calls: number;
  redis: BenchRedis;
  logLevel: string;
  nodeFlags: string[];
  log: (line: string) => void;
}

export interface AsteriskPhaseResult {
  id: string;
  extension: Extension;
  what: string;
  label: string;
  load: CallLoad;
  /** Failures during the warm-up before this phase (they count as failures of the run). */
  warmupFailures: Record<string, number>;
  /** CPU of the Asterisk process (all threads) over the window, ms, and per successful call. */
  asteriskCpuMs: number;
  asteriskCpuMsPerCall: number;
  asteriskRss?: number;
  /** agentgate's process over the window, per call (ast-toggle; ast-empty shows it idle). */
  agentgateCpuMsPerCall?: number;
  agentgatePeakRss?: number;
  /** agentgate's window as targets.ts measures it (CPU, memory, Redis CPU, and what else it counts). */
  agentgateWindow?: WindowCost;
  /** Redis's own CPU per call (ast-toggle). */
  redisCpuMsPerCall?: number;
  /** The empty FastAGI server's process, per call (ast-empty). */
  emptyAgiCpuMsPerCall?: number;
  /** Warnings and errors Asterisk logged during the window. */
  asteriskLog: LogFindings;
}

export interface LogFindings {
  warnings: number;
  errors: number;
  /** Distinct messages (timestamps and thread ids cut), with counts, most frequent first. */
  samples: Array<{ message: string; count: number }>;
}

export interface AsteriskBenchResult {
  asterisk: { bin: string; version: string };
  concurrency: number;
  calls: number;
  phases: AsteriskPhaseResult[];
  /** Per toggling phase: where Asterisk disagrees with what the calls were told; empty when all agree. */
  consistency: string[];
  /** Per toggling phase: numbers the calls left logged in, and how many of the pool Asterisk has as members. */
  members: Record<string, { told: number; inAsterisk: number }>;
  /** Other reasons the run is broken (Asterisk died, ...). */
  problems: string[];
  /** Warnings and errors of the whole run, start-up included. */
  asteriskLog: LogFindings;
}

export function poolNumbers(count: number, base: number): string[] {
  return Array.from({ length: count }, (_, i) => String(base + i));
}

// Asterisk's log line: `[2025-01-01 10:00:00.000] WARNING[1234][C-00000001] file.c: message`.
export function logFindings(text: string): LogFindings {
  const counts = new Map<string, number>();
  let warnings = 0;
  let errors = 0;
  for (const line of text.split('\n')) {
    const m = /^\[[^\]]*\]\s+(WARNING|ERROR)\[\d+\](?:\[[^\]]*\])?\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'WARNING') warnings += 1;
    else errors += 1;
    // Channel names and numbers differ per call; cut them so one cause counts once.
    const message = `${m[1]} ${m[2]!.replace(/Local\/[^\s,'"]+/g, 'Local/…').replace(/\d{4,}/g, 'N')}`;
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  const samples = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([message, count]) => ({ message, count }));
  return { warnings, errors, samples };
}

/** The number in a member interface: Local/<n>@ctx/n, or Local/<n>*ctx@agentgate-confirm/n (confirm on answer). */
const numberOf = (iface: string) => /^Local\/(\d+)[*@]/.exec(iface)?.[1];

async function queueMembers(ami: AdminAmi): Promise<string[]> {
  const r = await ami.action({ Action: 'QueueStatus', Queue: BENCH_QUEUE });
  return r.events.filter((e) => e.Event === 'QueueMember').map((e) => e.Location ?? e.Interface ?? '');
}

/** Asterisk's members of the queue against what the pool's calls were told; messages for each disagreement. */
async function checkMembers(ami: AdminAmi, pool: CallerPool, numbers: readonly string[], phase: string): Promise<{ problems: string[]; told: number; inAsterisk: number }> {
  const expected = new Set(pool.loggedIn());
  const inPool = new Set(numbers);
  const present = new Set((await queueMembers(ami)).map(numberOf).filter((n): n is string => n !== undefined && inPool.has(n) && !pool.retired.has(n)));
  const missing = [...expected].filter((n) => !present.has(n));
  const extra = [...present].filter((n) => !expected.has(n));
  const out: string[] = [];
  if (missing.length) out.push(`${phase}: ${missing.length} number(s) told LOGGEDIN are not members of ${BENCH_QUEUE} in Asterisk, e.g. ${missing[0]}`);
  if (extra.length) out.push(`${phase}: ${extra.length} number(s) told LOGGEDOUT are still members of ${BENCH_QUEUE} in Asterisk, e.g. ${extra[0]}`);
  return { problems: out, told: expected.size, inAsterisk: present.size };
}

export async function runAsteriskBench(o: AsteriskBenchOptions): Promise<AsteriskBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentgate-bench-asterisk-'));
  const keep = Boolean(process.env.ASTERISK_TEST_KEEP);
  // However the runner ends (SIGINT included: it exits), our Asterisk goes with it.
  const onExit = () => {
    killOwnAsteriskNow(dir);
    if (!keep) removeDir(dir);
  };
  process.once('exit', onExit);

  let ast: RunningAsterisk | undefined;
  let ami: AdminAmi | undefined;
  let empty: Child | undefined;
  let agentgate: Target | undefined;
  const phases: AsteriskPhaseResult[] = [];
  const consistency: string[] = [];
  const members: AsteriskBenchResult['members'] = {};
  const check = async (phase: string, pool: CallerPool, numbers: readonly string[]) => {
    const r = await checkMembers(ami!, pool, numbers, phase);
    consistency.push(...r.problems);
    members[phase] = { told: r.told, inAsterisk: r.inAsterisk };
    o.log(`    ${phase}: ${r.told} number(s) told LOGGEDIN, ${r.inAsterisk} of the pool members of ${BENCH_QUEUE} in Asterisk`);
  };
  const problems: string[] = [];
  try {
    empty = await startChild(path.join(here, 'empty-agi.ts'), { execArgv: o.nodeFlags });
    const amiPort = await freePort();
    const agentgatePort = await freePort();
    const adminSecret = randomBytes(12).toString('hex');
    // The shipped sounds suffice: nothing here plays a prompt.
    ast = await startAsterisk(o.install, { dir, amiPort, agentgate: `127.0.0.1:${agentgatePort}`, adminSecret, sounds: 'installed' });
    const version = (await ast.cli('core show version')).trim();
    o.log(`asterisk: ${version.split('\n')[0]} (pid ${ast.pid}, AMI ${amiPort}, dir ${dir})`);

    // The bench's extensions beside the fixture's, by an #include at the end of its extensions.conf.
    const benchConf = path.join(dir, 'etc', 'agbench-extensions.conf');
    writeFileSync(benchConf, benchExtensions({ emptyAgi: `127.0.0.1:${String(empty.info.port)}`, agentgate: `127.0.0.1:${agentgatePort}` }));
    appendFileSync(path.join(dir, 'etc', 'extensions.conf'), `\n#include ${JSON.stringify(benchConf)}\n`);
    await ast.cli('dialplan reload');
    const shown = await ast.cli('dialplan show dialplan@agbench-calls');
    if (!shown.includes('QUEUE_MEMBER_LIST')) throw new Error(`the bench's dialplan did not load:\n${shown}`);

    ami = await AdminAmi.connect(amiPort, ADMIN_USER, adminSecret);
    // Only the calls' reports: no Newexten, VarSet, ... for this session to read.
    await ami.action({ Action: 'Events', EventMask: 'user' });

    const poolSize = 2 * o.concurrency;
    // agentgate's JIT and Asterisk's caches warm up over the first several hundred
    // calls: after 150 (a quarter of --quick's 600), agentgate's CPU per toggle
    // still read about 1.8 times what it settles at, Asterisk's 1.3 times. A
    // service runs for days; the steady state is what is measured.
    const warmupCalls = Math.max(2 * o.concurrency, Math.round(o.calls / 4), 1000);
    const toggleNumbers = poolNumbers(poolSize, 79_160_000_000);
    await o.redis.allow(BENCH_QUEUE, toggleNumbers);
    const amiUser = shippedAmiUser();
    const before = await queueMembers(ami);
    if (before.length) problems.push(`ast-toggle: queue ${BENCH_QUEUE} has ${before.length} member(s) before agentgate starts, e.g. ${before[0]}`);
    agentgate = await startAgentgate({
      amiPort,
      redis: o.redis,
      logLevel: o.logLevel,
      nodeFlags: o.nodeFlags,
      env: { FASTAGI_PORT: String(agentgatePort), AMI_USERNAME: amiUser.username, AMI_SECRET: amiUser.secret },
    });
    o.log(`asterisk: agentgate on ${agentgatePort} logged in as ${amiUser.username}, empty FastAGI server on ${String(empty.info.port)}`);
    // agentgate restores into Asterisk the members its Redis records: with the bench's fresh prefix, none.
    await new Promise((r) => setTimeout(r, 300));
    const restored = (await queueMembers(ami)).length;
    if (restored) problems.push(`ast-toggle: agentgate started with ${restored} member(s) in ${BENCH_QUEUE} it did not add in this run (Redis prefix shared?)`);

    const label = `${o.concurrency} concurrent, ${o.calls} calls`;
    const phase = async (id: string, exten: Extension, what: string, pool: CallerPool): Promise<AsteriskPhaseResult> => {
      o.log(`  ${id}: ${what} (${label}, ${warmupCalls} to warm up)`);
      const warm = await runCalls({ ami: ami!, exten, pool, concurrency: o.concurrency, calls: warmupCalls });
      const logFrom = ast!.log().length;
      const emptyBefore = await empty!.call<SelfStats>('stats');
      if (agentgate) await agentgate.begin();
      const cpuBefore = processCpuMs(ast!.pid) ?? Number.NaN;
      const load = await runCalls({ ami: ami!, exten, pool, concurrency: o.concurrency, calls: o.calls });
      const asteriskCpuMs = (processCpuMs(ast!.pid) ?? Number.NaN) - cpuBefore;
      const asteriskRss = rssBytes(ast!.pid);
      const gate = agentgate ? await agentgate.end() : undefined;
      const emptyAfter = await empty!.call<SelfStats>('stats');
      const per = (ms: number | undefined) => (ms === undefined || !load.ok ? undefined : ms / load.ok);
      if (!ast!.alive()) problems.push(`${id}: Asterisk is gone after the phase (crashed? see ${path.join(dir, 'log', 'full')})`);
      const r: AsteriskPhaseResult = {
        id,
        extension: exten,
        what,
        label,
        load,
        warmupFailures: warm.failures,
        asteriskCpuMs,
        asteriskCpuMsPerCall: per(asteriskCpuMs) ?? Number.NaN,
        asteriskRss,
        agentgateCpuMsPerCall: per(gate?.cpuMs),
        agentgatePeakRss: gate?.peakRss,
        agentgateWindow: gate,
        redisCpuMsPerCall: per(gate?.redisCpuMs),
        emptyAgiCpuMsPerCall: exten === 'empty' ? per(emptyAfter.cpuMs - emptyBefore.cpuMs) : undefined,
        asteriskLog: logFindings(ast!.log().slice(logFrom)),
      };
      o.log(`    ${Math.round(load.callsPerSec)} calls/s, p50 ${Math.round(load.latencyMs.p50)} ms, Asterisk ${r.asteriskCpuMsPerCall.toFixed(2)} ms CPU/call, ${load.failed} failed`);
      return r;
    };

    phases.push(await phase('ast-empty', 'empty', 'Asterisk, AGI() to an empty FastAGI server', new CallerPool(poolNumbers(poolSize, 79_150_000_000), false)));

    const togglePool = new CallerPool(toggleNumbers, true);
    phases.push(await phase('ast-toggle', 'toggle', 'Asterisk, AGI() to agentgate queue-toggle, prompts=no', togglePool));
    // Let the service settle its own member events before asking Asterisk.
    await new Promise((r) => setTimeout(r, 500));
    await check('ast-toggle', togglePool, toggleNumbers);
    await agentgate.stop();
    agentgate = undefined;
    // Every member out of the queue again (it is the bench's own), so that the
    // dialplan-only phase reads a list of its own members only.
    for (const iface of await queueMembers(ami)) await ami.action({ Action: 'QueueRemove', Queue: BENCH_QUEUE, Interface: iface });
    const left = await queueMembers(ami);
    if (left.length) problems.push(`ast-dialplan: ${left.length} member(s) of ${BENCH_QUEUE} could not be removed before the phase, e.g. ${left[0]}`);

    const dialplanNumbers = poolNumbers(poolSize, 79_170_000_000);
    const dialplanPool = new CallerPool(dialplanNumbers, true);
    phases.push(await phase('ast-dialplan', 'dialplan', 'Asterisk, toggle in dialplan alone (AddQueueMember / RemoveQueueMember), no AGI', dialplanPool));
    await check('ast-dialplan', dialplanPool, dialplanNumbers);

    return {
      asterisk: { bin: o.install.bin, version: version.split('\n')[0] ?? '' },
      concurrency: o.concurrency,
      calls: o.calls,
      phases,
      consistency,
      members,
      problems,
      asteriskLog: logFindings(ast.log()),
    };
  } finally {
    if (agentgate) await agentgate.stop().catch(() => undefined);
    ami?.close();
    if (empty) await empty.stop().catch(() => undefined);
    if (ast) await ast.stop().catch(() => undefined);
    else killOwnAsteriskNow(dir);
    process.off('exit', onExit);
    if (keep) o.log(`asterisk: kept ${dir}`);
    else removeDir(dir);
  }
}
