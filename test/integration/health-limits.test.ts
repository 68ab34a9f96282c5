// Issue 14: the health listener cannot be made to hold descriptors without end
// (1,100 idle connections once starved FastAGI of them): past its cap new
// connections are closed at once, and silent ones are closed after idleMs.
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_LIMITS, startHealthServer, type HealthServer } from '../../lib/health-server.ts';

let health: HealthServer | undefined;
afterEach(() => health?.close());

function connect(port: number): Promise<{ socket: net.Socket; closedAfter: Promise<number> }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    const closedAfter = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
    socket.on('error', () => undefined);
    socket.on('connect', () => resolve({ socket, closedAfter }));
  });
}
const within = (p: Promise<number>, ms: number) => Promise.race([p, new Promise<number>((r) => setTimeout(() => r(-1), ms))]);

describe('health listener limits', () => {
  it('ships with a connection cap and an idle timeout', () => {
    expect(HEALTH_LIMITS.maxConnections).toBeLessThanOrEqual(64);
    expect(HEALTH_LIMITS.idleMs).toBeLessThanOrEqual(10_000);
  });

  it('closes connections past the cap at once and silent ones after idleMs, then answers probes again', async () => {
    health = await startHealthServer({
      host: '127.0.0.1', port: 0, log: pino({ level: 'silent' }), limits: { maxConnections: 5, idleMs: 400 },
      check: async () => ({ ready: true, checks: {} }) as never,
    });
    const held: Array<{ socket: net.Socket; closedAfter: Promise<number> }> = [];
    for (let i = 0; i < 5; i++) held.push(await connect(health.port));
    const extra = await Promise.all(Array.from({ length: 20 }, () => connect(health!.port)));
    for (const e of extra) expect(await within(e.closedAfter, 300)).toBeGreaterThanOrEqual(0);
    // The silent ones within the cap go after idleMs, not never.
    for (const c of held) {
      const ms = await within(c.closedAfter, 3000);
      expect(ms).toBeGreaterThanOrEqual(300);
    }
    const res = await fetch(`http://127.0.0.1:${health.port}/healthz`);
    expect(res.status).toBe(200);
  });
});
