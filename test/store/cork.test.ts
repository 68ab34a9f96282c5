// lib/store/cork.ts against a real Redis: the commands of one turn of the event
// loop share one write, in order, and nothing waits past the turn.
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../lib/store/redis.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let r: TestRedis | undefined;
let store: Store | undefined;
afterEach(async () => {
  store?.redis.disconnect();
  await r?.cleanup();
});

// The service's own connection (openStore), its socket's writes counted: _write per chunk, _writev for a corked batch.
async function counted(): Promise<{ store: Store; writes: () => number }> {
  r = await testRedis();
  store = openStore({ url: r.url, prefix: r.prefix });
  await new Promise<void>((resolve) => store!.redis.once('ready', () => resolve()));
  const socket = store.redis.stream as net.Socket & Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  let n = 0;
  for (const name of ['_write', '_writev'] as const) {
    const real = socket[name].bind(socket);
    socket[name] = (...a: unknown[]) => {
      n++;
      return real(...a);
    };
  }
  return { store, writes: () => n };
}

describe('Redis commands of one event-loop turn', () => {
  it('leave in one write, and are answered in order', async () => {
    const { store: s, writes } = await counted();
    const k = (i: number) => `${r!.prefix}cork:${i}`;
    const replies = await Promise.all([...Array(20).keys()].map((i) => s.redis.set(k(i), String(i)).then(() => s.redis.get(k(i)))));
    // The 20 SETs went in one write, the 20 GETs (issued as the SETs' replies came in) in one or a few.
    expect(replies).toEqual([...Array(20).keys()].map(String));
    expect(writes()).toBeLessThanOrEqual(4);
  });

  it('do not wait for more: a lone command is sent and answered within the turn it was issued in', async () => {
    const { store: s, writes } = await counted();
    expect(await s.redis.ping()).toBe('PONG');
    await new Promise((res) => setTimeout(res, 20));
    expect(await s.redis.incr(`${r!.prefix}cork:n`)).toBe(1);
    expect(writes()).toBe(2);
  });
});
