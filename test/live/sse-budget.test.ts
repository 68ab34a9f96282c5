// Issue 14: one memory budget for all live streams together. Readers that stop
// reading are cut (the slow ones first, the oldest of them first) with a last
// `closing` event saying why, the bytes held for all streams stay near the
// budget, and readers that keep up are never cut. (The 500-reader RSS and
// FastAGI p99 figures are in the benchmark: test/bench, `--streams`.)
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveFeed } from '../../lib/live/feed.ts';
import { LiveHub } from '../../lib/live/hub.ts';
import { SseStreams, type CutReason } from '../../lib/live/sse.ts';
import { waitFor } from '../support/harness.ts';

const feed = { snapshot: () => ({ at: 1, connected: true, synced: true, members: [], queues: [], agents: [] }) } as unknown as LiveFeed;
let server: http.Server | undefined;
const clients: net.Socket[] = [];
afterEach(() => new Promise<void>((resolve) => {
  for (const c of clients.splice(0)) c.destroy();
  if (!server) return resolve();
  server.close(() => resolve());
  server.closeAllConnections();
}));

async function serve(streams: SseStreams, ended: Array<{ n: number; cut?: CutReason }>): Promise<number> {
  let n = 0;
  server = http.createServer((_req, res) => {
    const me = n++;
    streams.serve(res, {}, (cut) => ended.push({ n: me, ...(cut ? { cut } : {}) }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function rawClient(port: number): { socket: net.Socket; text: () => string; ended: () => boolean } {
  const socket = net.connect(port, '127.0.0.1');
  clients.push(socket);
  let text = '';
  let ended = false;
  socket.on('data', (d) => (text += d.toString()));
  socket.on('end', () => (ended = true));
  socket.on('error', () => undefined);
  socket.write('GET /events HTTP/1.0\r\nHost: x\r\n\r\n');
  return { socket, text: () => text, ended: () => ended };
}

const big = 'x'.repeat(64 * 1024);
const publishBig = (hub: LiveHub, i: number) =>
  hub.publish([{ type: 'refused', at: i, action: 'login', subject: big, result: 'REFUSED', code: 'NOT_AUTHORIZED', detail: '', source: 'api', by: 'x' }]);

describe('SSE memory budget for all streams together', () => {
  it('cuts idle readers oldest first with a closing event, keeps the buffered bytes near the budget, never cuts readers that keep up', async () => {
    const hub = new LiveHub();
    const budget = 1024 * 1024;
    // Each stream's own cap far above the budget: only the budget can cut here.
    const streams = new SseStreams({ feed, hub, budgetBytes: budget, maxBufferedBytes: 256 * 1024 * 1024 });
    const ended: Array<{ n: number; cut?: CutReason }> = [];
    const port = await serve(streams, ended);
    const idle: Array<ReturnType<typeof rawClient>> = [];
    for (let i = 0; i < 4; i++) {
      const c = rawClient(port);
      await waitFor(() => streams.open === i + 1, 'the stream');
      c.socket.pause();
      idle.push(c);
    }
    const fast = [rawClient(port), rawClient(port)];
    await waitFor(() => streams.open === 6, 'every stream');

    let peak = 0;
    for (let i = 0; i < 800 && ended.length < 4; i++) {
      publishBig(hub, i);
      peak = Math.max(peak, streams.bufferedBytes);
      await new Promise((r) => setImmediate(r));
    }
    // All four idle readers cut, in the order they opened; the two readers that keep up still open.
    expect(ended).toEqual([0, 1, 2, 3].map((n) => ({ n, cut: 'BUFFER_BUDGET' })));
    expect(streams.open).toBe(2);
    // Never more than the budget and the one frame that crossed it, per stream written in that turn.
    expect(peak).toBeLessThanOrEqual(budget + 6 * (big.length + 200));
    expect(streams.bufferedBytes).toBeLessThanOrEqual(budget);
    // A cut reader that reads on gets its backlog, then the last event saying why, then the end.
    idle[0]!.socket.resume();
    await waitFor(() => idle[0]!.ended(), 'the cut stream to end', 5000);
    expect(idle[0]!.text()).toMatch(/event: closing\ndata: \{"type":"closing","reason":"BUFFER_BUDGET","message":"[^"]+"\}\n\n$/);
    expect(fast.every((c) => !c.ended() && !c.text().includes('event: closing'))).toBe(true);
    expect(hub.subscribers).toBe(2);
  });

  it('one stream past its own cap is cut with reason SLOW_READER, the others untouched', async () => {
    const hub = new LiveHub();
    const streams = new SseStreams({ feed, hub, maxBufferedBytes: 1024 * 1024 });
    const ended: Array<{ n: number; cut?: CutReason }> = [];
    const port = await serve(streams, ended);
    const slow = rawClient(port);
    await waitFor(() => streams.open === 1, 'the stream');
    slow.socket.pause();
    const ok = rawClient(port);
    await waitFor(() => streams.open === 2, 'both streams');
    // About 64 MB/s: a reader that reads keeps up; the one that stopped falls behind.
    for (let i = 0; i < 1500 && ended.length === 0; i++) {
      publishBig(hub, i);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(ended).toEqual([{ n: 0, cut: 'SLOW_READER' }]);
    slow.socket.resume();
    await waitFor(() => slow.ended(), 'the cut stream to end', 5000);
    expect(slow.text()).toMatch(/"reason":"SLOW_READER"/);
    expect(ok.ended()).toBe(false);
  });

  it('refuses a token more streams than it may hold, and frees its slot when one closes', async () => {
    const hub = new LiveHub();
    const streams = new SseStreams({ feed, hub, maxStreamsPerToken: 2 });
    let n = 0;
    server = http.createServer((req, res) => {
      const token = new URL(req.url!, 'http://x').searchParams.get('token')!;
      if (streams.fullFor(token)) {
        res.writeHead(503).end('full');
        return;
      }
      n++;
      streams.serve(res, {}, undefined, {}, token);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const open = (token: string) => new Promise<number>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', path: `/events?token=${token}` }, (res) => {
        if (res.statusCode !== 200) res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', () => resolve(0));
      clients.push(req.socket ?? new net.Socket());
      req.on('socket', (s) => clients.push(s));
    });
    expect([await open('wallboard'), await open('wallboard'), await open('wallboard'), await open('crm')]).toEqual([200, 200, 503, 200]);
    expect(streams.fullFor('wallboard')).toBe(true);
    clients[1]!.destroy();
    await waitFor(() => !streams.fullFor('wallboard'), 'the slot to free');
    expect(await open('wallboard')).toBe(200);
    expect(n).toBe(4);
  });
});
