// The SSE streams on a real socket: framing, the snapshot first, a client that
// stops reading cut off instead of buffered without end, and closeAll.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveFeed } from '../../lib/live/feed.ts';
import { LiveHub } from '../../lib/live/hub.ts';
import { SseStreams } from '../../lib/live/sse.ts';
import { waitFor } from '../support/harness.ts';

const feed = { snapshot: () => ({ at: 1, connected: true, synced: true, members: [], queues: [], agents: [] }) } as unknown as LiveFeed;
let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => {
  if (!server) return resolve();
  server.close(() => resolve());
  server.closeAllConnections();
}));

async function serve(streams: SseStreams): Promise<number> {
  server = http.createServer((_req, res) => streams.serve(res, {}));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function rawClient(port: number): { socket: net.Socket; text: () => string; ended: () => boolean } {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let ended = false;
  socket.on('data', (d) => (text += d.toString()));
  socket.on('end', () => (ended = true));
  socket.on('error', () => undefined);
  // HTTP/1.0: the body comes as it is written, without chunked framing.
  socket.write('GET /events HTTP/1.0\r\nHost: x\r\n\r\n');
  return { socket, text: () => text, ended: () => ended };
}

describe('SSE streams', () => {
  it('sends the snapshot first, then each event as id/event/data frames, until closeAll ends them', async () => {
    const hub = new LiveHub();
    const streams = new SseStreams({ feed, hub });
    const c = rawClient(await serve(streams));
    await waitFor(() => c.text().includes('event: snapshot'), 'the snapshot');
    hub.publish([{ type: 'pbx', at: 2, connected: false, synced: false }]);
    await waitFor(() => c.text().includes('event: pbx'), 'the event');
    const body = c.text().split('\r\n\r\n')[1]!;
    expect(body).toMatch(/^retry: 2000\n\nid: 0\nevent: snapshot\ndata: \{"type":"snapshot",.*\}\n\nid: 1\nevent: pbx\ndata: \{"type":"pbx","at":2,"connected":false,"synced":false\}\n\n$/);
    expect(c.text()).toMatch(/content-type: text\/event-stream/i);
    expect(streams.open).toBe(1);
    streams.closeAll();
    await waitFor(() => streams.open === 0 && c.ended(), 'the client to see the end');
    expect(hub.subscribers).toBe(0);
    c.socket.destroy();
  });

  it('cuts off a client that stops reading once too much waits for it', async () => {
    const hub = new LiveHub();
    const streams = new SseStreams({ feed, hub, maxBufferedBytes: 64 * 1024 });
    const c = rawClient(await serve(streams));
    await waitFor(() => streams.open === 1, 'the stream');
    c.socket.pause();
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 400 && streams.open === 1; i++) {
      hub.publish([{ type: 'refused', at: i, action: 'login', subject: big, result: 'REFUSED', code: 'NOT_AUTHORIZED', detail: '', source: 'api', by: 'x' }]);
      await new Promise((r) => setImmediate(r));
    }
    expect(streams.open).toBe(0);
    expect(hub.subscribers).toBe(0);
    c.socket.destroy();
  });
});
