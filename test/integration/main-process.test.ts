// `npm start` as an operator meets it: a real process, configured from the
// environment, started before Asterisk and Redis are there, stopped by SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';

const MAIN = path.resolve(import.meta.dirname, '../../lib/main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function start(env: Record<string, string>): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the service process', () => {
  it('starts without Asterisk and Redis, answers callers with a clear failure, and stops on SIGTERM', async () => {
    const port = await freePort();
    const svc = start({ FASTAGI_PORT: String(port), AMI_PORT: '1', REDIS_URL: 'redis://127.0.0.1:1/0', AMI_SECRET: 'Sup3rSecretAMI' });
    try {
      // Both are said at start, in whichever order the event loop brings them.
      await until(() => svc.out().includes('"fastagi listening"'), 'fastagi listening');
      await until(() => svc.out().includes('"msg":"redis unavailable"'), 'the log saying Redis is not there');
      const call = await callFastAgi(port, { script: 'queue-toggle?queue=8008', callerId: '79112223344' });
      expect(call.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', QUEUESTAT: 'ERROR' });
      expect(['STORE_UNAVAILABLE', 'PBX_UNAVAILABLE']).toContain(call.variables.AGENTGATE_ERROR);
      expect(call.played).toEqual(['an-error-has-occurred']);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toBe(0);
      expect(svc.out()).toMatch(/"msg":"stopped"/);
      expect(svc.out()).not.toContain('Sup3rSecretAMI');
    } finally {
      svc.child.kill('SIGKILL');
    }
  }, 20_000);

  it('refuses a bad configuration at start, naming the key', async () => {
    const svc = start({ FASTAGI_PORT: 'forty', REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(await svc.exited).toBe(78);
    expect(svc.out()).toBe('agentgate: bad configuration: FASTAGI_PORT: must be a whole number, got "forty"\n');
  });
});
