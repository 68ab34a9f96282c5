// The FastAGI server as Asterisk and the dialplan see it: routing, errors told
// through AGENTGATE_RESULT/AGENTGATE_ERROR, hostile peers, limits, shutdown.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AppError, BadParamsError, NotAuthorizedError, PbxUnavailableError } from '../../lib/errors.ts';
import { answer } from '../../lib/scripts/reply.ts';
import type { AgiScript } from '../../lib/agi/server.ts';
import { callFastAgi, openFastAgiCall } from '../doubles/fastagi-asterisk.ts';
import { deferred, startServer, until, type TestServer } from './server-harness.ts';

const ok: AgiScript = async (ch) => {
  await ch.setVariable('AGENTGATE_RESULT', 'OK');
};

/** Proves the server still serves: a fresh call runs `ok` to the end. */
async function stillServes(t: TestServer): Promise<void> {
  const call = await callFastAgi(t.port, { script: 'ok' });
  expect(call.variables).toEqual({ AGENTGATE_RESULT: 'OK' });
}

/** Connects, optionally writes, and resolves when the server closes the socket. */
function rawConnect(port: number, data?: string | Buffer, host = '127.0.0.1'): Promise<{ ms: number; received: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    const s = net.connect(port, host, () => {
      if (data !== undefined) s.write(data);
    });
    s.on('data', (d) => (received += d.toString()));
    s.on('error', () => {});
    s.on('close', () => resolve({ ms: Date.now() - started, received }));
  });
}

describe('a session', () => {
  it('closes the socket itself when the script returns, and takes the HANGUP that follows in its stride', async () => {
    const t = await startServer({ ok });
    const call = await callFastAgi(t.port, { script: 'ok' });
    expect(call.closedByServer).toBe(true);
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.logs.filter((l) => l.level >= 40)).toEqual([]); // no warning or error about the HANGUP line
    await until(() => t.server.activeSessions() === 0, 'session count to drop');
  });

  it('logs exactly one closing line with the call context, the outcome and the duration', async () => {
    const t = await startServer({ ok });
    await callFastAgi(t.port, { script: 'ok', callerId: '+79112223344', channel: 'Local/s@dummy-00000008;1', uniqueid: '1795314191.17' });
    await until(() => t.closings().length === 1, 'closing line');
    // Once the session is over, nothing of it can log again.
    await until(() => t.server.activeSessions() === 0, 'the session to end');
    expect(t.closings()).toHaveLength(1);
    expect(t.closings()[0]).toMatchObject({
      script: 'ok',
      uniqueid: '1795314191.17',
      channel: 'Local/s@dummy-00000008;1',
      callerId: '+79112223344',
      remote: '127.0.0.1',
      outcome: 'ok',
      ms: expect.any(Number),
    });
  });

  it('the closing line counts a refusal and a failure the script answered as such, not as ok', async () => {
    const t = await startServer({
      refuse: (ch, log) => answer(ch, log, async () => {
        throw new NotAuthorizedError('number 79110000001 is not authorized for queue 8008');
      }),
      fail: (ch, log) => answer(ch, log, async () => {
        throw new PbxUnavailableError('Asterisk did not answer QueueStatus');
      }),
    });
    const refused = await callFastAgi(t.port, { script: 'refuse' });
    expect(refused.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_AUTHORIZED' });
    const failed = await callFastAgi(t.port, { script: 'fail' });
    expect(failed.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'PBX_UNAVAILABLE' });
    await until(() => t.closings().length === 2, 'closing lines');
    expect(t.closings().map((l) => [l.script, l.outcome, l.code])).toEqual([
      ['refuse', 'refused', 'NOT_AUTHORIZED'],
      ['fail', 'error', 'PBX_UNAVAILABLE'],
    ]);
  });

  it('serves many calls at once, each its own', async () => {
    const t = await startServer({
      echo: async (ch) => {
        await new Promise((r) => setTimeout(r, 10));
        await ch.setVariable('ECHO', ch.request.params.n ?? '');
      },
    });
    const calls = await Promise.all(Array.from({ length: 30 }, (_, i) => callFastAgi(t.port, { script: `echo?n=${i}`, splitReplies: i % 2 === 0 })));
    expect(calls.map((c) => c.variables.ECHO)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
  });
});

describe('the router tells the dialplan what went wrong, and the server goes on', () => {
  it('an unknown script: UNKNOWN_SCRIPT', async () => {
    const t = await startServer({ ok });
    const call = await callFastAgi(t.port, { script: 'no-such-script?queue=8008' });
    expect(call.variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'UNKNOWN_SCRIPT' });
    expect(call.closedByServer).toBe(true);
    expect(t.logged('unknown script')).toHaveLength(1);
    await stillServes(t);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('a script named %j is unknown, not an Object.prototype member', async (name) => {
    const t = await startServer({ ok });
    const call = await callFastAgi(t.port, { script: name });
    expect(call.variables.AGENTGATE_ERROR).toBe('UNKNOWN_SCRIPT');
  });

  it('a script that throws: INTERNAL, logged with the error', async () => {
    const t = await startServer({
      ok,
      broken: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const call = await callFastAgi(t.port, { script: 'broken' });
    expect(call.variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'INTERNAL' });
    const [line] = t.logged('script failed');
    expect(line).toMatchObject({ code: 'INTERNAL', script: 'broken', err: { message: 'cannot read properties of undefined' } });
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'error', code: 'INTERNAL' });
    await stillServes(t);
  });

  it('a script that throws synchronously (not async at all) is handled the same way', async () => {
    const t = await startServer({
      ok,
      sync: (() => {
        throw new Error('sync throw');
      }) as unknown as AgiScript,
    });
    expect((await callFastAgi(t.port, { script: 'sync' })).variables.AGENTGATE_ERROR).toBe('INTERNAL');
    await stillServes(t);
  });

  it("an AppError: its own code (BadParamsError gives BAD_PARAMS)", async () => {
    const t = await startServer({
      ok,
      strict: async (ch) => {
        if (!ch.request.params.queue) throw new BadParamsError('queue is required');
      },
      busy: async () => {
        throw new AppError('BUSY', 'someone else is changing this number');
      },
    });
    expect((await callFastAgi(t.port, { script: 'strict' })).variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'BAD_PARAMS' });
    expect((await callFastAgi(t.port, { script: 'busy' })).variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'BUSY' });
    await stillServes(t);
  });

  it('bad query parameters: BAD_PARAMS, and the script does not run', async () => {
    let ran = false;
    const t = await startServer({
      ok,
      strict: async () => {
        ran = true;
      },
    });
    const call = await callFastAgi(t.port, { script: 'strict?queue=%zz' });
    expect(call.variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'BAD_PARAMS' });
    expect(ran).toBe(false);
    expect(t.logged('bad request parameters')).toHaveLength(1);
  });

  it('a script interrupted by the caller hanging up still gets its error into the dialplan', async () => {
    const t = await startServer({
      pin: async (ch) => {
        await ch.getData('agent-user', 4000, 10);
      },
    });
    const call = await callFastAgi(t.port, { script: 'pin', hangupAt: { command: /^GET DATA/ } });
    expect(call.variables).toEqual({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'AGI_HANGUP' });
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'hangup' });
  });
});

describe('hostile and broken peers', () => {
  it('Asterisk closing the socket mid-command leaves the server serving', async () => {
    const t = await startServer({
      ok,
      slow: async (ch) => {
        await ch.getVariable('NEVER');
      },
    });
    const call = openFastAgiCall(t.port, { script: 'slow', noReplyTo: /NEVER/ });
    await call.waitForCommand(/NEVER/);
    call.close();
    await call.done;
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'closed' });
    await stillServes(t);
  });

  it('a caller name with CR LF: the forged lines are dropped and logged, the value keeps its CR', async () => {
    let seen: { callerIdName: string; keys: string[] } | undefined;
    const t = await startServer({
      probe: async (ch) => {
        seen = { callerIdName: ch.request.callerIdName, keys: Object.keys(ch.request.env) };
      },
    });
    await callFastAgi(t.port, { script: 'probe', callerIdName: 'Evil\r\nAction: UserEvent\r\nUserEvent: LabInjected' });
    expect(seen?.callerIdName).toBe('Evil\r');
    expect(seen?.keys.every((k) => k.startsWith('agi_'))).toBe(true);
    expect(t.logged('environment lines dropped')[0]).toMatchObject({ dropped: 2 });
  });

  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\nHost: agentgate\r\n\r\n'],
    ['binary noise', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])],
    ['agi_ lines that name no script', 'agi_foo: 1\nagi_bar: 2\n\n'],
  ])('garbage instead of an environment (%s) is logged and closed at once', async (_, garbage) => {
    const t = await startServer({ ok });
    const { ms, received } = await rawConnect(t.port, garbage);
    expect(received).toBe('');
    expect(ms).toBeLessThan(1000);
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'garbage' });
    await stillServes(t);
  });

  it('a 1 MB line closes the session as soon as the line limit is passed, and hurts nobody', async () => {
    const t = await startServer({ ok, slow: async (ch) => void (await ch.getVariable('X')) }, { maxLineBytes: 8192 });
    const call = openFastAgiCall(t.port, { script: 'slow', noReplyTo: /X/ });
    await call.waitForCommand(/X/);
    call.write('200 result=1 (' + 'x'.repeat(1 << 20)); // no LF, ever
    await call.done;
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'line-too-long' });
    await stillServes(t);
  });

  it('a 1 MB environment line is cut the same way', async () => {
    const t = await startServer({ ok });
    await rawConnect(t.port, 'agi_network: yes\nagi_calleridname: ' + 'x'.repeat(1 << 20));
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'line-too-long' });
    await stillServes(t);
  });

  it('an environment larger than maxEnvBytes is cut', async () => {
    const t = await startServer({ ok }, { maxEnvBytes: 2048 });
    const lines = Array.from({ length: 100 }, (_, i) => `agi_x${i}: ${'v'.repeat(30)}\n`).join('');
    await rawConnect(t.port, `agi_network: yes\n${lines}\n`);
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'env-too-large' });
  });

  it('a port probe (connect, close) is no error', async () => {
    const t = await startServer({ ok });
    await new Promise<void>((resolve) => net.connect(t.port, '127.0.0.1', function (this: net.Socket) {
      this.end();
    }).on('close', () => resolve()));
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ outcome: 'probe', level: 20 });
    await stillServes(t);
  });

  it('a reset connection in the middle of a session does not crash the server', async () => {
    const t = await startServer({ ok, slow: async (ch) => void (await ch.getVariable('X')) });
    const s = net.connect(t.port, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', () => s.resetAndDestroy());
    s.write('agi_network: yes\nagi_network_script: slow\n\n');
    await until(() => t.closings().length === 1, 'closing line');
    await stillServes(t);
  });
});

describe('limits', () => {
  it('maxSessions: the extra connection is refused at once and logged; later ones are served', async () => {
    const hold = deferred();
    const t = await startServer({ ok, hold: async () => hold.promise }, { maxSessions: 1 });
    const first = openFastAgiCall(t.port, { script: 'hold' });
    await until(() => t.server.activeSessions() === 1, 'first session');
    const refused = await callFastAgi(t.port, { script: 'ok' });
    expect(refused.sent).toEqual([]);
    expect(refused.variables).toEqual({});
    expect(t.logged('too many sessions')[0]).toMatchObject({ active: 1, maxSessions: 1 });
    hold.resolve();
    await first.done;
    await until(() => t.server.activeSessions() === 0, 'first session to end');
    await stillServes(t);
  });

  it('allow: a client outside the list is refused at once, with a log line', async () => {
    const t = await startServer({ ok }, { allow: ['10.0.0.0/8', '::1/128'] });
    const { ms } = await rawConnect(t.port, 'agi_network: yes\n');
    expect(ms).toBeLessThan(500);
    expect(t.logged('address not allowed')[0]).toMatchObject({ remote: '127.0.0.1' });
    expect(t.closings()).toEqual([]);
  });

  it('allow: IPv6 clients, and IPv4 clients of a dual-stack listener (IPv4-mapped)', async () => {
    const t = await startServer({ ok }, { host: '::', allow: ['127.0.0.0/8', '::1'] });
    expect((await callFastAgi(t.port, { script: 'ok', host: '::1' })).variables).toEqual({ AGENTGATE_RESULT: 'OK' });
    expect((await callFastAgi(t.port, { script: 'ok', host: '127.0.0.1' })).variables).toEqual({ AGENTGATE_RESULT: 'OK' });
    const v6only = await startServer({ ok }, { host: '::', allow: ['::1'] });
    expect((await callFastAgi(v6only.port, { script: 'ok', host: '127.0.0.1' })).sent).toEqual([]);
    expect(v6only.logged('address not allowed')[0]).toMatchObject({ remote: '::ffff:127.0.0.1' });
  });

  it('a bad allow entry stops start-up with a message naming it', async () => {
    await expect(startServer({ ok }, { allow: ['127.0.0.1/33'] })).rejects.toThrow(/FASTAGI_ALLOW/);
    await expect(startServer({ ok }, { allow: ['localhost'] })).rejects.toThrow(/"localhost"/);
  });

  it('idleTimeoutMs: a peer that sends nothing, or half an environment, is cut', async () => {
    const t = await startServer({ ok }, { idleTimeoutMs: 150 });
    const silent = await rawConnect(t.port);
    const half = await rawConnect(t.port, 'agi_network: yes\nagi_network_script: ok\n');
    for (const r of [silent, half]) {
      expect(r.ms).toBeGreaterThanOrEqual(140);
      expect(r.ms).toBeLessThan(1000);
    }
    await until(() => t.closings().length === 2, 'closing lines');
    expect(t.closings().map((l) => l.outcome)).toEqual(['idle-timeout', 'idle-timeout']);
  });

  it('idleTimeoutMs: a script that stops talking to Asterisk is cut, but a long command is not', async () => {
    const stuck = deferred();
    const t = await startServer(
      {
        stuck: async () => stuck.promise,
        longCommand: async (ch) => {
          await ch.getVariable('SLOW');
          await ch.setVariable('DONE', '1');
        },
      },
      { idleTimeoutMs: 150, commandTimeoutMs: 1000 },
    );
    const call = await callFastAgi(t.port, { script: 'stuck' });
    expect(call.closedByServer).toBe(true);
    stuck.resolve();
    await until(() => t.closings().length === 1, 'closing line');
    expect(t.closings()[0]).toMatchObject({ script: 'stuck', outcome: 'idle-timeout' });
    const slow = await callFastAgi(t.port, { script: 'longCommand', replyDelayMs: 400 });
    expect(slow.variables).toEqual({ DONE: '1' });
  });
});

describe('close()', () => {
  it('stops accepting, lets a running session finish, then resolves', async () => {
    const started = deferred();
    const release = deferred();
    const t = await startServer(
      {
        slow: async (ch) => {
          started.resolve();
          await release.promise; // still running until the refusal has been seen
          await ch.setVariable('FINISHED', 'yes');
        },
      },
      { shutdownGraceMs: 2000 },
    );
    const call = openFastAgiCall(t.port, { script: 'slow' });
    await started.promise;
    const closing = t.server.close();
    const refused = await new Promise<string>((resolve) => net.connect(t.port, '127.0.0.1').on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).on('connect', () => resolve('connected')));
    expect(refused).toBe('ECONNREFUSED');
    release.resolve();
    const done = await call.done;
    expect(done.variables).toEqual({ FINISHED: 'yes' });
    await closing;
    expect(t.server.activeSessions()).toBe(0);
  });

  it('cuts what is still running after shutdownGraceMs', async () => {
    const t = await startServer({ stuck: async (ch) => void (await ch.getVariable('NEVER')) }, { shutdownGraceMs: 100, commandTimeoutMs: 10_000 });
    const call = openFastAgiCall(t.port, { script: 'stuck', noReplyTo: /NEVER/ });
    await call.waitForCommand(/NEVER/);
    const t0 = Date.now();
    await t.server.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await call.done;
    expect(t.closings()[0]).toMatchObject({ outcome: 'shutdown' });
    expect(t.server.activeSessions()).toBe(0);
  });
});
