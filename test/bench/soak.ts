// `npm run bench:soak`: 100,000 toggles (or --toggles N) through the service,
// then the question a long-running process must answer: is everything back
// where it was? Sockets, timers (every pending AMI action and AGI command holds
// one), listeners, Redis commands in flight, Redis keys beyond the intended
// ones, and the heap after a full GC, each against a baseline taken after the
// warm-up. Also checks that Asterisk (the double), Redis and the toggles agree
// on who is logged in.
import { numberOfInterface } from '../../lib/asterisk/interfaces.ts';
import { runClosedLoop, type LoadResult } from './agi/load.ts';
import { ToggleWorkload } from './agi/toggle-workload.ts';
import { poolNumbers } from './scenarios.ts';
import type { BenchRedis, KeyInventory } from './support/redis.ts';
import { round, summarize } from './support/stats.ts';
import { startAgentgate, startAmiDouble } from './targets.ts';

export interface SoakOptions {
  toggles: number;
  concurrency: number;
  redis: BenchRedis;
  logLevel: string;
  nodeFlags: string[];
  amiQueues: number;
  log: (line: string) => void;
}

interface Inventory {
  heapUsed: number;
  rss: number;
  active: Record<string, number>;
  descriptors?: Record<string, number>;
  listeners: Record<string, number>;
  redisCommandsInFlight: number;
  redisOfflineQueue: number;
}

/** Keys the service is meant to leave: the allowlist, members, rate counters (they expire), the audit stream. */
const INTENDED_KINDS = new Set(['allow', 'allow-queues', 'policy', 'members', 'member-queues', 'rate', 'audit']);
const QUEUE = '8008';

interface Check {
  what: string;
  before: string;
  after: string;
  ok: boolean;
}

export async function runSoak(o: SoakOptions): Promise<{ ok: boolean; text: string; json: Record<string, unknown> }> {
  const double = await startAmiDouble(o.amiQueues);
  const numbers = poolNumbers(Math.max(1000, o.concurrency * 4));
  await o.redis.allow(QUEUE, numbers);
  const t = await startAgentgate({ amiPort: Number(double.info.port), redis: o.redis, logLevel: o.logLevel, nodeFlags: o.nodeFlags });
  try {
    const w = new ToggleWorkload({ port: t.port, numbers, queue: QUEUE, passExpected: false, timeoutMs: 60_000 });
    const run = (maxSessions: number) => runClosedLoop({ workload: w, concurrency: o.concurrency, durationMs: 24 * 3600_000, maxSessions });
    const settle = () => new Promise((r) => setTimeout(r, 500));

    o.log(`soak: warm-up, ${numbers.length * 2} toggles`);
    const warm = await run(numbers.length * 2);
    await settle();
    const before = await t.child.call<Inventory>('inventory');
    const keysBefore = await o.redis.inventory();

    const chunk = Math.max(1, Math.min(10_000, Math.ceil(o.toggles / 10)));
    const chunks: Array<{ done: number; perSec: number; p99: number; rssMB: number; heapMB: number }> = [];
    const failures: Record<string, number> = { ...warm.failures };
    let done = 0;
    let ok = 0;
    const t0 = performance.now();
    const p99s: number[] = [];
    while (done < o.toggles) {
      const n = Math.min(chunk, o.toggles - done);
      const r: LoadResult = await run(n);
      done += r.sessions;
      ok += r.ok;
      for (const [k, c] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + c;
      const s = await t.child.call<{ rss: number; heapUsed: number }>('stats');
      chunks.push({ done, perSec: round(r.sessionsPerSec), p99: round(r.latencyMs.p99), rssMB: round(s.rss / 2 ** 20), heapMB: round(s.heapUsed / 2 ** 20) });
      p99s.push(r.latencyMs.p99);
      o.log(`  ${done}/${o.toggles} toggles, ${round(r.sessionsPerSec)}/s, p99 ${round(r.latencyMs.p99)} ms, RSS ${round(s.rss / 2 ** 20)} MB, heap ${round(s.heapUsed / 2 ** 20)} MB, failed ${r.failed}`);
      if (r.sessions === 0) break; // every number retired: nothing more can run
    }
    const wallS = (performance.now() - t0) / 1000;
    await settle();
    const after = await t.child.call<Inventory>('inventory');
    const keysAfter = await o.redis.inventory();

    // Who is logged in, three ways. By number, as b checks it: a mobile is a member
    // through the confirm context or not, as the service is configured.
    const expected = [...w.loggedIn()].sort();
    const inAsterisk = await double.call<string[]>('members', { queue: QUEUE });
    const poolSet = new Set(numbers);
    const asteriskOurs = inAsterisk.map((i) => numberOfInterface(i) ?? i).filter((n) => poolSet.has(n)).sort();

    const checks: Check[] = [];
    const same = (what: string, b: number | undefined, a: number | undefined) => checks.push({ what, before: String(b ?? 0), after: String(a ?? 0), ok: (a ?? 0) <= (b ?? 0) });
    checks.push({ what: 'failed toggles', before: '0', after: String(Object.values(failures).reduce((x, y) => x + y, 0)), ok: Object.keys(failures).length === 0 });
    same('open sockets (fds)', before.descriptors?.socket, after.descriptors?.socket);
    same('TCP sockets (libuv handles)', before.active.TCPSocketWrap, after.active.TCPSocketWrap);
    same('timers (pending AMI actions, AGI commands, session timers)', before.active.Timeout, after.active.Timeout);
    for (const k of Object.keys({ ...before.listeners, ...after.listeners })) same(`listeners on ${k}`, before.listeners[k], after.listeners[k]);
    same('Redis commands in flight', before.redisCommandsInFlight, after.redisCommandsInFlight);
    same('Redis offline queue', before.redisOfflineQueue, after.redisOfflineQueue);
    const unintended = (inv: KeyInventory) => Object.entries(inv.byKind).filter(([k]) => !INTENDED_KINDS.has(k)).map(([k, n]) => `${k}:${n}`).join(' ') || 'none';
    checks.push({ what: 'Redis keys other than the intended ones (locks, intents, ...)', before: unintended(keysBefore), after: unintended(keysAfter), ok: unintended(keysAfter) === 'none' });
    checks.push({ what: 'member records in Redis = numbers logged in', before: '', after: `${keysAfter.memberRecords} = ${expected.length}`, ok: keysAfter.memberRecords === expected.length });
    checks.push({ what: 'members in Asterisk (double) = numbers logged in', before: '', after: `${asteriskOurs.length} = ${expected.length}`, ok: JSON.stringify(asteriskOurs) === JSON.stringify(expected) });
    const heapGrowth = after.heapUsed - before.heapUsed;
    // Flat: within 2 MB after a full GC, whatever the number of toggles.
    checks.push({ what: 'heap used after full GC, MB', before: String(round(before.heapUsed / 2 ** 20)), after: String(round(after.heapUsed / 2 ** 20)), ok: heapGrowth < 2 * 2 ** 20 });
    const rssNote = { what: 'RSS, MB (reported, not judged: freed pages stay mapped)', before: String(round(before.rss / 2 ** 20)), after: String(round(after.rss / 2 ** 20)), ok: true };
    checks.push(rssNote);

    const allOk = checks.every((c) => c.ok);
    const lines = [
      `Soak: ${done} toggles (${ok} ok) at ${o.concurrency} concurrent in ${round(wallS)} s (${round(ok / wallS)} toggles/s), p99 per chunk ${round(summarize(p99s).p50)} ms median, ${round(Math.max(...p99s))} ms worst.`,
      '',
      '| after the soak vs. after the warm-up | before | after | |',
      '| --- | --- | --- | --- |',
      ...checks.map((c) => `| ${c.what} | ${c.before} | ${c.after} | ${c.ok ? 'ok' : '**NOT BACK**'} |`),
      '',
      `Audit stream: ${keysAfter.auditLength} entries (AUDIT_MAX_LEN=10000, trimmed approximately). Keys by kind after: ${Object.entries(keysAfter.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}.`,
    ];
    if (Object.keys(failures).length) lines.push('', `FAILED toggles: ${Object.entries(failures).map(([k, n]) => `${n} × ${k}`).join('; ')}`);
    return {
      ok: allOk,
      text: lines.join('\n'),
      json: { toggles: done, ok, concurrency: o.concurrency, wallS, failures, chunks, before, after, keysBefore, keysAfter, checks, loggedIn: expected.length },
    };
  } finally {
    await t.stop();
    await double.stop();
  }
}
