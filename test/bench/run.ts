// `npm run bench` (node test/bench/run.ts): the FastAGI benchmarks (a, a2, b, c),
// the AMI benchmarks and, when an Asterisk is installed, calls through a real
// private Asterisk (asterisk/) in one run, on this machine, with one generator;
// tables on stdout, the same figures as JSON in a file. `--soak`: the soak.
// Exit code 1 when any session failed or a check did not hold: a benchmark
// that measured something broken must not look like a result.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findInstall, type AsteriskInstall } from '../asterisk/support/binary.ts';
import { runAmiBench, type AmiBenchResult } from './ami/ami-bench.ts';
import { runAsteriskBench, type AsteriskBenchResult } from './asterisk/asterisk-bench.ts';
import { amiTable, asteriskChecks, asteriskTable, checksTable, machine, machineLine, memoryLines, phaseTable, targetChecks, wireTable } from './report.ts';
import { runRepeated } from './repeat.ts';
import { runFastAgiBench, type FastAgiBenchResult } from './scenarios.ts';
import { runSoak } from './soak.ts';
import { runStreamsBench } from './streams.ts';
import { killChildren } from './support/child.ts';
import { openBenchRedis, type BenchRedis } from './support/redis.ts';
import { startEnv, startFlags, targetEnv } from './support/start-flags.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const HELP = `node test/bench/run.ts [options]
  --quick                 short windows; the whole run within about 45 s on 2 cores
  --only a,a2,b,c,ami,asterisk  parts to run (default: all; asterisk when one is found)
  --asterisk / --no-asterisk    calls through a real private Asterisk: run (fail when none is
                          found) / don't (default: run when ASTERISK_BIN or an asterisk on PATH is found)
  --asterisk-concurrency N  calls in flight in the Asterisk phase (20)
  --asterisk-calls N      calls measured per extension in the Asterisk phase (3000; quick 600),
                          after a warm-up of a quarter as many, at least 1000
  --concurrency N         sessions in flight in the closed-loop phases (50)
  --rate R                toggles/s of b's open-loop phase (200)
  --big-concurrency N     sessions in flight in the memory phase (1000)
  --prompt-ms M           prompt playback in the memory phase, ms per prompt (1000)
  --reply-delay-ms X      delay before every reply in every phase (0)
  --media-delay-ms X      delay before prompt replies in the other phases (0)
  --duration S            measurement window, seconds (quick 2.5, full 10)
  --classic perl,node     classic AGI interpreters for c (both)
  --log-level L           the service's log level (info, as shipped)
  --node-flags="F ..."    Node flags for a, a2 and b (default: npm start's, its --import preloads included
                          (the compile cache), and any environment it sets (NAME=value before node);
                          given by hand: these flags only, --node-flags= for none)
  --ami-queues N          queues Asterisk (the AMI double) has, 8008 and 8009 among them (2)
  --out FILE              JSON results (bench-results.json; soak: bench-results-soak.json)
  --soak                  the soak: 100,000 toggles, then everything back to baseline?
  --toggles N             toggles in the soak (100000)
  --streams               idle live-stream readers: FastAGI p99 and RSS with and without them
  --readers N             readers that never read, for --streams (500); toggles/s from --rate (default 100 here)
  --runs N                the same bench N times, each in a process of its own, then every target's
                          lowest, median and highest figure and how often it was met (JSON: bench-results-runs.json)
  --pause S               seconds between those runs (40)
`;

const { values: v } = parseArgs({
  allowNegative: true,
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    asterisk: { type: 'boolean' },
    'asterisk-concurrency': { type: 'string', default: '20' },
    'asterisk-calls': { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '200' },
    'big-concurrency': { type: 'string', default: '1000' },
    'prompt-ms': { type: 'string', default: '1000' },
    'reply-delay-ms': { type: 'string', default: '0' },
    'media-delay-ms': { type: 'string', default: '0' },
    duration: { type: 'string' },
    classic: { type: 'string', default: 'perl,node' },
    'log-level': { type: 'string', default: 'info' },
    'node-flags': { type: 'string' },
    'ami-queues': { type: 'string', default: '2' },
    out: { type: 'string' },
    soak: { type: 'boolean', default: false },
    toggles: { type: 'string', default: '100000' },
    streams: { type: 'boolean', default: false },
    readers: { type: 'string', default: '500' },
    runs: { type: 'string', default: '1' },
    pause: { type: 'string', default: '40' },
    help: { type: 'boolean', default: false },
  },
});

if (v.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function whole(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number >= ${min}, got ${raw}\n`);
    process.exit(2);
  }
  return n;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const command = `node test/bench/run.ts ${process.argv.slice(2).join(' ')}`.trim();
let redis: BenchRedis | undefined;
// The Asterisk phase's own prefix: agentgate restores into Asterisk the members its Redis records,
// and b leaves hundreds of them (logged in to the AMI double) under its prefix.
let asteriskRedis: BenchRedis | undefined;

async function cleanup(): Promise<void> {
  killChildren();
  if (redis) await redis.cleanup().catch(() => undefined);
  if (asteriskRedis) await asteriskRedis.cleanup().catch(() => undefined);
  redis = undefined;
  asteriskRedis = undefined;
}
process.on('SIGINT', () => {
  void cleanup().then(() => process.exit(130));
});

const nodeFlags = v['node-flags'] === undefined ? startFlags(root) : v['node-flags'].split(' ').filter(Boolean);
// npm start's environment (the malloc tuning) goes with npm start's flags, not with flags given by hand.
if (v['node-flags'] === undefined) Object.assign(targetEnv, startEnv(root));
const amiQueues = whole('ami-queues', v['ami-queues']!, 2);

async function main(): Promise<number> {
  const started = Date.now();
  const m = machine();
  const runs = whole('runs', v.runs!, 1);
  if (runs > 1) {
    const res = await runRepeated({ argv: process.argv.slice(2), runs, pauseS: whole('pause', v.pause!, 0), out: v.out ?? 'bench-results-runs.json', log });
    process.stdout.write(`${res.text}\n\n${machineLine(m, command)}\n`);
    return res.ok ? 0 : 1;
  }
  if (v.soak) {
    redis = await openBenchRedis();
    const out = v.out ?? 'bench-results-soak.json';
    const res = await runSoak({ toggles: whole('toggles', v.toggles!, 2), concurrency: whole('concurrency', v.concurrency!, 1), redis, logLevel: v['log-level']!, nodeFlags, amiQueues, log });
    writeFileSync(out, `${JSON.stringify({ kind: 'soak', machine: m, command, startedAt: new Date(started).toISOString(), ...res.json }, null, 2)}\n`);
    process.stdout.write(`${res.text}\n\n${machineLine(m, command)}\nJSON: ${out}\n`);
    return res.ok ? 0 : 1;
  }

  if (v.streams) {
    redis = await openBenchRedis();
    const out = v.out ?? 'bench-results-streams.json';
    const rate = process.argv.some((a) => a.startsWith('--rate')) ? whole('rate', v.rate!, 1) : 100;
    const durationMs = (v.duration !== undefined ? Number(v.duration) : v.quick ? 5 : 15) * 1000;
    const res = await runStreamsBench({ redis, readers: whole('readers', v.readers!, 1), rate, durationMs, logLevel: v['log-level']!, nodeFlags, log });
    writeFileSync(out, `${JSON.stringify({ kind: 'streams', machine: m, command, startedAt: new Date(started).toISOString(), ...(res.json as object) }, null, 2)}\n`);
    process.stdout.write(`${res.text}\n\n${machineLine(m, command)}\nJSON: ${out}\n`);
    return res.ok ? 0 : 1;
  }

  const quick = v.quick!;
  const only = new Set((v.only ?? 'a,a2,b,c,ami,asterisk').split(',').map((s) => s.trim()).filter(Boolean));
  if (v.asterisk === true) only.add('asterisk');
  if (v.asterisk === false) only.delete('asterisk');
  const asteriskInstall = only.has('asterisk') ? findAsterisk(v.asterisk === true) : undefined;
  if (!asteriskInstall) only.delete('asterisk');
  const asteriskOpts = {
    concurrency: whole('asterisk-concurrency', v['asterisk-concurrency']!, 1),
    calls: whole('asterisk-calls', v['asterisk-calls'] ?? (quick ? '600' : '3000'), 1),
  };
  const durationS = v.duration !== undefined ? Number(v.duration) : quick ? 2.5 : 10;
  const opts = {
    quick,
    only,
    concurrency: whole('concurrency', v.concurrency!, 1),
    rate: whole('rate', v.rate!, 1),
    rates: [...new Set([100, whole('rate', v.rate!, 1), 400])].sort((x, y) => x - y),
    bigConcurrency: whole('big-concurrency', v['big-concurrency']!, 1),
    promptMs: whole('prompt-ms', v['prompt-ms']!, 0),
    replyDelayMs: whole('reply-delay-ms', v['reply-delay-ms']!, 0),
    mediaDelayMs: whole('media-delay-ms', v['media-delay-ms']!, 0),
    durationMs: durationS * 1000,
    warmupMs: quick ? 800 : 3000,
    bigDurationMs: quick ? 3000 : 15_000,
    classic: v.classic!.split(',').map((s) => s.trim()).filter((s): s is 'perl' | 'node' => s === 'perl' || s === 'node'),
    logLevel: v['log-level']!,
    nodeFlags,
    amiQueues,
    asterisk: asteriskOpts,
    log,
  };

  let fastagi: FastAgiBenchResult | undefined;
  let ami: AmiBenchResult | undefined;
  let asterisk: AsteriskBenchResult | undefined;
  if (['a', 'a2', 'b', 'c'].some((p) => only.has(p))) {
    if (only.has('b')) redis = await openBenchRedis();
    fastagi = await runFastAgiBench({ ...opts, redis });
  }
  if (only.has('ami')) ami = await runAmiBench({ root, quick, log });
  if (asteriskInstall) {
    log(`asterisk: calls through a private Asterisk (${asteriskInstall.bin})`);
    asteriskRedis = await openBenchRedis();
    asterisk = await runAsteriskBench({ install: asteriskInstall, ...asteriskOpts, redis: asteriskRedis, logLevel: opts.logLevel, nodeFlags, log });
  }

  const checks = [...(fastagi ? targetChecks(fastagi, opts) : []), ...(asterisk ? asteriskChecks(asterisk) : [])];
  const failures: string[] = [];
  for (const p of fastagi?.phases ?? []) {
    for (const [reason, n] of Object.entries({ ...p.warmupFailures, ...p.load.failures })) failures.push(`${p.id}: ${n} × ${reason}`);
  }
  for (const id of fastagi?.dialogueMismatches ?? []) failures.push(`${id}: its AGI dialogue differs from b's (see dialogues in the JSON)`);
  for (const c of fastagi?.consistency ?? []) failures.push(`b: ${c}`);
  for (const p of asterisk?.phases ?? []) {
    for (const [reason, n] of Object.entries({ ...p.warmupFailures, ...p.load.failures })) failures.push(`${p.id}: ${n} × ${reason}`);
  }
  for (const c of [...(asterisk?.consistency ?? []), ...(asterisk?.problems ?? [])]) failures.push(c);

  const out = v.out ?? 'bench-results.json';
  const json = {
    kind: 'bench',
    machine: m,
    command,
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    options: { ...opts, only: [...only], log: undefined },
    failures,
    fastagi,
    targets: checks,
    ami,
    asterisk,
  };
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);

  const parts: string[] = [];
  if (fastagi) {
    const b = fastagi.dialogues.b;
    if (b) parts.push(`AGI round trips per toggle, counted from a real toggle session: ${b.login.length} logging in, ${b.logout.length} logging out.`);
    parts.push(phaseTable(fastagi.phases));
    const memory = memoryLines(fastagi.phases, opts.bigConcurrency);
    if (memory) parts.push(memory);
    if (fastagi.phases.some((p) => p.cost.wire)) parts.push(wireTable(fastagi.phases));
  }
  if (asterisk) {
    parts.push(`Through a real Asterisk (${asterisk.asterisk.version}): calls originated over AMI into Local channels, ${asterisk.concurrency} in flight; call duration from Originate to the call's report.`);
    parts.push(asteriskTable(asterisk));
  }
  if (checks.length) parts.push(checksTable(checks));
  if (ami) parts.push(amiTable(ami));
  parts.push(`${machineLine(m, command)} Took ${Math.round((Date.now() - started) / 1000)} s.`);
  process.stdout.write(`${parts.join('\n\n')}\nJSON: ${out}\n`);
  if (failures.length) {
    process.stderr.write(`\n${'!'.repeat(72)}\nFAILED: ${failures.length} kind(s) of failure; these figures measured something broken:\n${failures.map((f) => `  ${f}`).join('\n')}\n${'!'.repeat(72)}\n`);
    return 1;
  }
  return 0;
}

/** The Asterisk to call through, or undefined (one line on stderr) when there is none; `required`: none is an error. */
function findAsterisk(required: boolean): AsteriskInstall | undefined {
  let install: AsteriskInstall | undefined;
  let why = 'no asterisk binary (set ASTERISK_BIN, or put its directory on PATH, e.g. PATH=$PATH:/usr/sbin)';
  try {
    install = findInstall();
  } catch (err) {
    why = (err as Error).message;
  }
  if (install) return install;
  if (required) {
    process.stderr.write(`--asterisk: ${why}\n`);
    process.exit(2);
  }
  process.stderr.write(`asterisk: skipped, ${why}\n`);
  return undefined;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
} finally {
  await cleanup();
}
process.exit(code);
