// Issue 14, connection limits on the FastAGI port: silent connections are cut
// after the short environment deadline (not the minute-long idle timeout), one
// address cannot take every session slot, and a flood of refused connections
// makes a few log lines with counts, not one line each.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { AgiScript } from '../../lib/agi/server.ts';
import { callFastAgi, openFastAgiCall } from '../doubles/fastagi-asterisk.ts';
import { deferred, startServer, until } from './server-harness.ts';

const ok: AgiScript = async (ch) => {
  await ch.setVariable('AGENTGATE_RESULT', 'OK');
};

/** Connects, optionally writes, and resolves when the server closes the socket, or after giveUpMs. */
function rawConnect(port: number, data?: string, giveUpMs = 3000): Promise<{ ms: number; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s = net.connect(port, '127.0.0.1', () => {
      if (data !== undefined) s.write(data);
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ ms: Date.now() - started, closedByServer: false });
    }, giveUpMs);
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - started, closedByServer: true });
    });
  });
}

describe('FastAGI connection limits', () => {
  it('the environment deadline (envTimeoutMs) cuts silent and dribbling peers long before the idle timeout', async () => {
    const t = await startServer({ ok }, { idleTimeoutMs: 60_000, envTimeoutMs: 200 });
    const [silent, half] = await Promise.all([rawConnect(t.port), rawConnect(t.port, 'agi_network: yes\nagi_network_script: ok\n')]);
    for (const r of [silent, half]) {
      expect(r.closedByServer).toBe(true);
      expect(r.ms).toBeGreaterThanOrEqual(180);
      expect(r.ms).toBeLessThan(1500);
    }
    await until(() => t.closings().length === 2, 'closing lines');
    expect(t.server.activeSessions()).toBe(0);
  });

  it('the environment deadline does not cut a running script that is slower than it', async () => {
    const slow: AgiScript = async (ch) => {
      await new Promise((r) => setTimeout(r, 400));
      await ch.setVariable('AGENTGATE_RESULT', 'OK');
    };
    const t = await startServer({ slow }, { idleTimeoutMs: 60_000, envTimeoutMs: 150 });
    expect((await callFastAgi(t.port, { script: 'slow' })).variables).toEqual({ AGENTGATE_RESULT: 'OK' });
  });

  it('maxSessionsPerAddress: one address is refused past its cap while another is served', async () => {
    const hold = deferred();
    const t = await startServer({ ok, hold: async () => hold.promise }, { maxSessions: 10, maxSessionsPerAddress: 2 });
    const held = [openFastAgiCall(t.port, { script: 'hold' }), openFastAgiCall(t.port, { script: 'hold' })];
    await until(() => t.server.activeSessions() === 2, 'two held sessions');
    const refused = await callFastAgi(t.port, { script: 'ok' });
    expect(refused.sent).toEqual([]);
    expect(t.logged('too many sessions from one address')[0]).toMatchObject({ remote: '127.0.0.1', active: 2, maxSessionsPerAddress: 2 });
    // Another loopback address has slots of its own.
    expect((await callFastAgi(t.port, { script: 'ok', localAddress: '127.0.0.2' })).variables).toEqual({ AGENTGATE_RESULT: 'OK' });
    hold.resolve();
    await Promise.all(held.map((h) => h.done));
    await until(() => t.server.activeSessions() === 0, 'held sessions to end');
    expect((await callFastAgi(t.port, { script: 'ok' })).variables).toEqual({ AGENTGATE_RESULT: 'OK' });
  });

  it('refusals are logged once at the start and then as one line with a count per interval', async () => {
    const t = await startServer({ ok }, { allow: ['10.0.0.0/8'] }, { refusalLogIntervalMs: 300 });
    const N = 200;
    for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, () => rawConnect(t.port)));
    await until(() => t.logged('address not allowed').length >= 2, 'the summary line', 2000);
    const lines = t.logged('address not allowed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ remote: '127.0.0.1' });
    expect(lines[1]).toMatchObject({ reason: 'address not allowed', refused: N - 1, remotes: ['127.0.0.1'] });
  });
});
