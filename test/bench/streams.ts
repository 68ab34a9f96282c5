// `npm run bench -- --streams`: what idle live-stream readers cost (issue 14).
// agentgate (b, as shipped, the admin API on) takes toggles at a fixed rate,
// first with no live streams, then with N clients that open /events and never
// read while the toggles' queue events flow to them. Reported: FastAGI latency
// in both windows and its ratio, the service's peak RSS, and what the stream
// budget held (agentgate_api_stream_buffered_bytes) and cut. Targets (issue
// 14): peak RSS under 300 MB and p99 within 2x of the idle window.
import net from 'node:net';
import { runOpenLoop, type LoadResult } from './agi/load.ts';
import { ToggleWorkload } from './agi/toggle-workload.ts';
import { poolNumbers } from './scenarios.ts';
import type { BenchRedis } from './support/redis.ts';
import { round } from './support/stats.ts';
import { startAgentgate, startAmiDouble, type WindowCost } from './targets.ts';

const TOKEN = 'bench-wallboard-0123456789abcdef';
const QUEUE = '8008';
const MB = 1024 * 1024;

export interface StreamsBenchOptions {
  redis: BenchRedis;
  readers: number;
  rate: number;
  durationMs: number;
  logLevel: string;
  nodeFlags: string[];
  log: (line: string) => void;
}

interface Window {
  label: string;
  load: LoadResult;
  cost: WindowCost;
  /** Largest agentgate_api_stream_buffered_bytes sampled (every 250 ms) during the window. */
  maxBufferedBytes: number;
  streamsAtEnd: number;
  /** Streams the service cut (budget or slow reader), from the readers' opening to the window's end. */
  streamsCut: number;
}

async function scrape(apiPort: number): Promise<{ buffered: number; streams: number; cut: number }> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const cut = [...text.matchAll(/^agentgate_api_streams_cut_total\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { buffered: gauge('agentgate_api_stream_buffered_bytes'), streams: gauge('agentgate_api_streams'), cut };
}

/** A wallboard that opens the stream and never reads it. */
function idleReader(apiPort: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(apiPort, '127.0.0.1', () => {
      s.write(`GET /events HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer ${TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
      s.pause();
      resolve(s);
    });
    s.on('error', (err) => reject(err));
  });
}

export async function runStreamsBench(o: StreamsBenchOptions): Promise<{ text: string; json: unknown; ok: boolean }> {
  const double = await startAmiDouble(2);
  // Enough numbers that a slow window never runs out of callers (each is in one session at a time).
  const numbers = poolNumbers(Math.max(2000, o.rate * 30));
  await o.redis.allow(QUEUE, numbers);
  const t = await startAgentgate({
    amiPort: Number(double.info.port), redis: o.redis, logLevel: o.logLevel, nodeFlags: o.nodeFlags,
    env: { API_PORT: '0', API_TOKENS: `wallboard:read:${TOKEN}`, API_STREAMS_PER_TOKEN: String(o.readers + 10), API_MAX_CONNECTIONS: String(o.readers + 100) },
  });
  const apiPort = Number(t.child.info.apiPort);
  const readers: net.Socket[] = [];
  const workload = new ToggleWorkload({ port: t.port, numbers, queue: QUEUE, passExpected: false, timeoutMs: 60_000 });
  // Cuts are counted from `since` (before the readers opened: their snapshots count too).
  const window = async (label: string, since?: Awaited<ReturnType<typeof scrape>>): Promise<Window> => {
    const before = since ?? (await scrape(apiPort));
    let maxBufferedBytes = before.buffered;
    const sampler = setInterval(() => {
      scrape(apiPort).then((m) => (maxBufferedBytes = Math.max(maxBufferedBytes, m.buffered)), () => undefined);
    }, 250);
    await t.begin();
    const load = await runOpenLoop({ workload, rate: o.rate, durationMs: o.durationMs });
    const cost = await t.end();
    clearInterval(sampler);
    const after = await scrape(apiPort);
    o.log(`  ${label}: ${load.ok}/${load.sessions} ok, p99 ${round(load.latencyMs.p99)} ms, peak RSS ${Math.round((cost.peakRss ?? 0) / MB)} MB, streams ${after.streams}, buffered max ${Math.round(maxBufferedBytes / 1024)} KiB`);
    return { label, load, cost, maxBufferedBytes: Math.max(maxBufferedBytes, after.buffered), streamsAtEnd: after.streams, streamsCut: after.cut - before.cut };
  };
  try {
    o.log(`streams: agentgate (FastAGI ${t.port}, API ${apiPort}), ${o.rate} toggles/s, ${o.readers} idle readers`);
    await runOpenLoop({ workload, rate: o.rate, durationMs: Math.min(2000, o.durationMs) }); // warm-up
    const idle = await window('no streams');
    const beforeReaders = await scrape(apiPort);
    for (let i = 0; i < o.readers; i += 50) {
      readers.push(...(await Promise.all(Array.from({ length: Math.min(50, o.readers - i) }, () => idleReader(apiPort)))));
    }
    const deadline = Date.now() + 10_000;
    while ((await scrape(apiPort)).streams < o.readers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const loaded = await window(`${o.readers} idle readers`, beforeReaders);

    const p99Ratio = loaded.load.latencyMs.p99 / idle.load.latencyMs.p99;
    const peakMb = (loaded.cost.peakRss ?? Number.NaN) / MB;
    const failed = idle.load.failed + loaded.load.failed;
    const row = (w: Window) => `| ${w.label} | ${round(w.load.sessionsPerSec)} | ${round(w.load.latencyMs.p50)} | ${round(w.load.latencyMs.p99)} | ${Math.round((w.cost.peakRss ?? Number.NaN) / MB)} | ${w.streamsAtEnd} | ${round(w.maxBufferedBytes / MB)} | ${w.streamsCut} |`;
    const text = [
      `Live streams: ${o.readers} readers that never read, ${o.rate} toggles/s, ${o.durationMs / 1000} s windows.`,
      '',
      '| window | sessions/s | p50 ms | p99 ms | peak RSS MB | streams open at end | buffered max MB | streams cut |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      row(idle),
      row(loaded),
      '',
      '| target (issue 14) | measured | goal |',
      '| --- | --- | --- |',
      `| peak RSS with ${o.readers} idle readers | ${Math.round(peakMb)} MB | < 300 MB: **${peakMb < 300 ? 'met' : 'missed'}** |`,
      `| FastAGI p99, readers / none | ${round(p99Ratio)} (${round(loaded.load.latencyMs.p99)} / ${round(idle.load.latencyMs.p99)} ms) | <= 2: **${p99Ratio <= 2 ? 'met' : 'missed'}** |`,
      `| failed sessions | ${failed} | 0 |`,
    ].join('\n');
    return { text, json: { readers: o.readers, rate: o.rate, durationMs: o.durationMs, windows: [idle, loaded], p99Ratio, peakRssMb: peakMb }, ok: failed === 0 };
  } finally {
    for (const r of readers) r.destroy();
    await t.stop();
    await double.stop();
  }
}
