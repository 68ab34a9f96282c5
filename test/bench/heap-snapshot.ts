// By hand (issue 15): where the heap goes per open FastAGI session. Starts the
// service as b runs it, warms it up, then holds N sessions open (long prompts)
// and writes a heap snapshot, then another once they have all ended, and
// prints what the open sessions hold: objects by constructor, strings, closures,
// arrays, with their self sizes, as the difference of the two snapshots, and
// the retained size of a few per-session objects.
//
//   node test/bench/heap-snapshot.ts [--sessions 1000] [--prompt-ms 6000] [--after-ms N] [--dir /tmp] [--node-flags="..."]
//
// The open snapshot is taken --after-ms after the sessions start (default: half a
// prompt, at most 3 s: every session waiting for its first prompt; 300: in the
// rush, with the toggles' Redis and AMI round trips in flight).
//
// With --alloc: no snapshots; instead V8's sampling heap profiler (collected
// objects counted too) over --toggles toggles at 50 concurrent, no prompts, and
// the functions that allocate the most per toggle.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runClosedLoop } from './agi/load.ts';
import { ToggleWorkload } from './agi/toggle-workload.ts';
import { poolNumbers } from './scenarios.ts';
import { killChildren } from './support/child.ts';
import { summarizeSnapshot, diffSummaries, type SnapshotSummary } from './support/heap-summary.ts';
import { openBenchRedis } from './support/redis.ts';
import { startEnv, startFlags, targetEnv } from './support/start-flags.ts';
import { startAgentgate, startAmiDouble } from './targets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: v } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    'prompt-ms': { type: 'string', default: '6000' },
    dir: { type: 'string', default: '/tmp' },
    'node-flags': { type: 'string' },
    top: { type: 'string', default: '25' },
    'after-ms': { type: 'string' },
    alloc: { type: 'boolean', default: false },
    toggles: { type: 'string', default: '10000' },
  },
});
const sessions = Number(v.sessions);
const promptMs = Number(v['prompt-ms']);
const top = Number(v.top);
const nodeFlags = v['node-flags'] !== undefined ? v['node-flags'].split(' ').filter(Boolean) : startFlags(root);
if (v['node-flags'] === undefined) Object.assign(targetEnv, startEnv(root));
const log = (s: string) => process.stderr.write(`${s}\n`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await openBenchRedis();
const double = await startAmiDouble(2);
try {
  const numbers = poolNumbers(sessions * 2);
  await redis.allow('8008', numbers);
  const t = await startAgentgate({ amiPort: Number(double.info.port), redis, logLevel: 'info', nodeFlags });
  try {
    const w = new ToggleWorkload({ port: t.port, numbers, queue: '8008', passExpected: false, timeoutMs: 120_000 });
    log(`warm-up: ${numbers.length * 2} toggles`);
    await runClosedLoop({ workload: w, concurrency: 50, durationMs: 3_600_000, maxSessions: numbers.length * 2 });
    await pause(500);
    if (v.alloc) {
      const toggles = Number(v.toggles);
      await t.child.call('allocStart');
      const r = await runClosedLoop({ workload: w, concurrency: 50, durationMs: 3_600_000, maxSessions: toggles });
      const profile = await t.child.call<AllocNode>('allocStop', undefined, 300_000);
      log(`allocation profile over ${r.sessions} toggles (${r.failed} failed)`);
      printAlloc(profile, r.sessions, top);
      process.exit(0);
    }
    const idleFile = path.join(v.dir!, `agentgate-idle-${process.pid}.heapsnapshot`);
    await t.child.call('heapSnapshot', idleFile, 300_000);
    log(`idle snapshot: ${idleFile}`);

    w.setDelays({ mediaDelayMs: promptMs });
    const load = runClosedLoop({ workload: w, concurrency: sessions, durationMs: promptMs });
    // Every session is in its first prompt after about the environment and one round trip (the variables).
    await pause(v['after-ms'] !== undefined ? Number(v['after-ms']) : Math.min(promptMs / 2, 3000));
    const open = (await t.child.call<{ active: Record<string, number> }>('resources')).active.TCPSocketWrap ?? 0;
    const openFile = path.join(v.dir!, `agentgate-open-${process.pid}.heapsnapshot`);
    await t.child.call('heapSnapshot', openFile, 300_000);
    log(`snapshot with ${open} TCP sockets open: ${openFile}`);
    const r = await load;
    log(`load: ${r.sessions} sessions, ${r.failed} failed`);

    const idle = summarizeSnapshot(readFileSync(idleFile, 'utf8'));
    const busy = summarizeSnapshot(readFileSync(openFile, 'utf8'));
    print(idle, busy, sessions, top);
  } finally {
    await t.stop();
  }
} finally {
  await double.stop();
  await redis.cleanup();
  killChildren();
}

interface AllocNode {
  head: AllocFrame;
}
interface AllocFrame {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocFrame[];
}

/** Allocated bytes per toggle by function (self), and by package or lib/ file. */
function printAlloc(p: AllocNode, toggles: number, topN: number): void {
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  const walk = (n: AllocFrame) => {
    const f = n.callFrame;
    const file = f.url.replace(/^file:\/\//, '').replace(root + '/', '');
    const where = file.startsWith('node_modules/') ? file.split('/').slice(0, file.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : file || '(native)';
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + n.selfSize);
    byFile.set(where, (byFile.get(where) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(p.head);
  const per = (b: number) => `${Math.round(b / toggles)} B`;
  process.stdout.write(`allocated per toggle: ${per(total)}\n\nby file or package:\n`);
  for (const [k, b] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, topN)) process.stdout.write(`  ${per(b).padStart(9)}  ${k}\n`);
  process.stdout.write('\nby function:\n');
  for (const [k, b] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, topN)) process.stdout.write(`  ${per(b).padStart(9)}  ${k}\n`);
}

function print(idle: SnapshotSummary, busy: SnapshotSummary, n: number, topN: number): void {
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const perSession = (b: number) => `${Math.round(b / n)} B`;
  process.stdout.write(`heap (live objects): idle ${mb(idle.total)} MB, ${n} sessions open ${mb(busy.total)} MB, ${perSession(busy.total - idle.total)} per session\n\n`);
  process.stdout.write(`| kind | name | count Δ | self size Δ | per session |\n| --- | --- | --- | --- | --- |\n`);
  for (const d of diffSummaries(idle, busy).slice(0, topN)) {
    process.stdout.write(`| ${d.type} | ${d.name.slice(0, 60).replaceAll('|', '\\|')} | ${d.count} | ${mb(d.size)} MB | ${perSession(d.size)} |\n`);
  }
  process.stdout.write(`\nretained by one object of each (median over the open snapshot):\n`);
  for (const [name, r] of Object.entries(busy.retained)) {
    process.stdout.write(`  ${name}: ${r.count} objects, median retained ${r.median} B, total retained ${mb(r.total)} MB\n`);
  }
}
