// Issue 14 on the admin API: bad paging input is the client's mistake (400
// BAD_PARAMS, not 503 with Redis's text), a token holds only so many live
// streams, the streams' buffered bytes are a metric, and the listener holds
// only so many connections.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/harness.ts';
import { ADMIN_TOKEN, READ_TOKEN, startApiHarness, type ApiHarness } from './support.ts';

let h: ApiHarness;
afterEach(() => h.stop());

describe('admin API bounds', () => {
  it('GET /audit with a before that Redis would refuse, or a count out of range, is 400 BAD_PARAMS', async () => {
    h = await startApiHarness();
    for (const q of ['before=0-0', 'before=18446744073709551616-0', 'before=1-18446744073709551616', 'before=99999999999999999999-99999999999999999999', 'count=0', 'count=1001', 'count=5000']) {
      const res = await h.req('GET', `/audit?${q}`, { token: READ_TOKEN });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('BAD_PARAMS');
      expect(res.body.error.message, q).not.toMatch(/ERR|stream ID/i);
    }
    // The largest possible id is fine: everything is before it.
    const max = await h.req('GET', '/audit?before=18446744073709551615-18446744073709551615&count=5', { token: READ_TOKEN });
    expect(max.status).toBe(200);
  });

  it('refuses a token a live stream past API_STREAMS_PER_TOKEN (503 TOO_MANY_STREAMS), not another token; reports buffered bytes', async () => {
    h = await startApiHarness({ API_STREAMS_PER_TOKEN: '2' });
    const [a, b] = [await h.stream('', READ_TOKEN), await h.stream('', READ_TOKEN)];
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await h.req('GET', '/events', { token: READ_TOKEN });
    expect(third.status).toBe(503);
    expect(third.body.error.code).toBe('TOO_MANY_STREAMS');
    expect(third.body.error.message).toMatch(/wallboard/);
    expect((await h.stream('', ADMIN_TOKEN)).status).toBe(200);
    const metrics = (await h.req('GET', '/metrics', { token: READ_TOKEN })).body as string;
    expect(metrics).toMatch(/^agentgate_api_stream_buffered_bytes \d+$/m);
    expect(metrics).toMatch(/^agentgate_api_streams 3$/m);
    // A closed stream frees its token's slot.
    a.close();
    await waitFor(async () => (await h.req('GET', '/metrics', { token: READ_TOKEN })).body.includes('agentgate_api_streams 2'), 'the stream to close');
    expect((await h.stream('', READ_TOKEN)).status).toBe(200);
  });

  it('API_MAX_CONNECTIONS: idle connections past the cap are closed at once, and the API serves again when they go', async () => {
    h = await startApiHarness({ API_MAX_CONNECTIONS: '4' });
    const port = h.app.apiPort!;
    const connect = () => new Promise<{ socket: net.Socket; closed: Promise<number> }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      const started = Date.now();
      const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
      socket.on('error', () => undefined);
      socket.on('connect', () => resolve({ socket, closed }));
    });
    const held: Array<{ socket: net.Socket; closed: Promise<number> }> = [];
    for (let i = 0; i < 4; i++) held.push(await connect());
    const extra = await connect();
    expect(await Promise.race([extra.closed, new Promise<number>((r) => setTimeout(() => r(-1), 1000))])).toBeGreaterThanOrEqual(0);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await waitFor(async () => (await h.req('GET', '/audit?count=1', { token: READ_TOKEN }).catch(() => ({ status: 0 }))).status === 200, 'the API to serve again');
  });
});
