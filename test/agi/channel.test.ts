// AgiChannel through the real server against the FastAGI double.
import { describe, expect, it } from 'vitest';
import type { AgiChannel } from '../../lib/agi/channel.ts';
import {
  AgiClosedError,
  AgiDeadChannelError,
  AgiHangupError,
  AgiInvalidCommandError,
  AgiTimeoutError,
  AgiUsageError,
} from '../../lib/agi/errors.ts';
import type { Config } from '../../lib/config.ts';
import { callFastAgi, openFastAgiCall, type FastAgiCall, type FastAgiCallOptions } from '../doubles/fastagi-asterisk.ts';
import { startServer, until } from './server-harness.ts';

/** Runs `body` as the script of one call; gives back what it returned or threw, and the call. */
async function probe<T>(
  body: (ch: AgiChannel) => Promise<T>,
  call: Partial<FastAgiCallOptions> = {},
  config: Partial<Config['fastagi']> = {},
): Promise<{ value?: T; error?: unknown; call: FastAgiCall; ch: AgiChannel }> {
  const out: { value?: T; error?: unknown; ch?: AgiChannel } = {};
  const { port } = await startServer(
    {
      probe: async (ch) => {
        out.ch = ch;
        try {
          out.value = await body(ch);
        } catch (err) {
          out.error = err;
        }
      },
    },
    config,
  );
  const result = await callFastAgi(port, { script: 'probe', ...call });
  return { ...out, call: result, ch: out.ch as AgiChannel };
}

describe('the request', () => {
  it.each([undefined, 'two-reads', 'per-line'] as const)('is read whole whatever the TCP reads (%s)', async (splitEnv) => {
    const { value } = await probe(async (ch) => ch.request, {
      script: 'probe?queue=8008&x=a:b',
      callerId: '+79112223344',
      callerIdName: 'Ivan: Petrov',
      args: ['arg1', 'arg 2', 'a:b'],
      splitEnv,
    });
    expect(value).toMatchObject({
      script: 'probe',
      // The arguments are the query string AGI() split at its commas, put back.
      params: { queue: '8008', x: 'a:b,arg1,arg 2,a:b' },
      args: ['arg1', 'arg 2', 'a:b'],
      callerId: '+79112223344',
      callerIdName: 'Ivan: Petrov',
      context: 'ivr-test',
      remoteAddress: '127.0.0.1',
    });
    expect(value?.env.agi_request).toMatch(/^agi:\/\/127\.0\.0\.1:\d+\/probe\?queue=8008&x=a:b$/);
  });
});

describe('commands', () => {
  it('reads variables: a value, unset, a full expression, an unset expression', async () => {
    const { value } = await probe(
      async (ch) => [await ch.getVariable('FOO'), await ch.getVariable('NOPE'), await ch.getFullVariable('${CALLERID(name)}'), await ch.getFullVariable('${NOPE}')],
      { channelVariables: { FOO: 'bar:baz' }, callerIdName: 'Ivan: Petrov', splitReplies: true },
    );
    expect(value).toEqual(['bar:baz', undefined, 'Ivan: Petrov', '']);
  });

  it('sets variables that Asterisk stores exactly as given', async () => {
    const tricky = ['LOGGEDIN', 'a b "quoted" c', 'back\\slash\\', '', 'Иван: Петров', '${EVIL}'];
    const { value, call } = await probe(async (ch) => {
      for (const [i, v] of tricky.entries()) await ch.setVariable(`V${i}`, v);
      return Promise.all(tricky.map((_, i) => ch.getVariable(`V${i}`)));
    });
    expect(value).toEqual(tricky);
    expect(call.variables).toEqual(Object.fromEntries(tricky.map((v, i) => [`V${i}`, v])));
  });

  it('EXEC passes one argument, commas and all, and reports an unknown application as -2', async () => {
    const { value, call } = await probe(async (ch) => [await ch.exec('UserEvent', 'AgentLogin,Agent: 7911'), await ch.exec('NoSuchApplicationXyz', 'foo'), await ch.exec('Playback', 'agent-loginok')]);
    expect(value?.map((r) => r.result)).toEqual(['0', '-2', '0']);
    expect(call.execs[0]).toEqual({ app: 'UserEvent', arg: 'AgentLogin,Agent: 7911' });
    expect(call.played).toEqual(['agent-loginok']);
  });

  it('STREAM FILE gives endpos as a field, SAY DIGITS says the digits', async () => {
    const { value, call } = await probe(async (ch) => [await ch.streamFile('agent-loggedoff'), await ch.sayDigits('79112223344')]);
    expect(value?.[0]).toEqual({ code: 200, result: '0', fields: { endpos: '11680' } });
    expect(call.played).toEqual(['agent-loggedoff']);
    expect(call.said).toEqual(['79112223344']);
    expect(call.sent).toEqual(['STREAM FILE "agent-loggedoff" ""', 'SAY DIGITS "79112223344" ""']);
  });

  it('GET DATA gives the digits, or a timeout', async () => {
    const { value, call } = await probe(async (ch) => [await ch.getData('agent-user', 4000, 10), await ch.getData('agent-pass', 1500, 10)], { dtmf: ['7001', ''] });
    expect(value).toEqual([{ digits: '7001', timedOut: false }, { digits: '', timedOut: true }]);
    expect(call.sent[0]).toBe('GET DATA "agent-user" "4000" "10"');
  });

  it('ANSWER, VERBOSE and HANGUP work, and the channel is dead after HANGUP', async () => {
    const { value, call } = await probe(async (ch) => {
      await ch.answer();
      await ch.verbose('hello from agi');
      await ch.hangup();
      return [ch.hungUp, await ch.getVariable('FOO')];
    }, { channelVariables: { FOO: 'bar:baz' } });
    // After HANGUP, Asterisk sends the HANGUP notice before the next reply (agi-session.log).
    expect(value).toEqual([true, 'bar:baz']);
    expect(call.verbose).toEqual(['hello from agi']);
  });

  it('runs commands one at a time, in call order, even when the script does not wait', async () => {
    const { value, call } = await probe(
      async (ch) => Promise.all([ch.setVariable('A', '1'), ch.getVariable('A'), ch.setVariable('A', '2'), ch.getVariable('A')]),
      { splitReplies: true, replyDelayMs: 5 },
    );
    expect(value).toEqual([undefined, '1', undefined, '2']);
    expect(call.sent).toEqual(['SET VARIABLE "A" "1"', 'GET VARIABLE "A"', 'SET VARIABLE "A" "2"', 'GET VARIABLE "A"']);
  });
});

describe('setVariables', () => {
  const ANSWER = { AGENTGATE_RESULT: 'LOGGEDIN', QUEUESTAT: 'LOGGEDIN', AGENTGATE_NUMBER: '79112223344', AGENTGATE_QUEUES: '8008,8009', AGENTGATE_ERROR: '' };

  it('sets plain values, a comma list and an empty one included, in one EXEC MSet round trip', async () => {
    const { error, call } = await probe((ch) => ch.setVariables(ANSWER));
    expect(error).toBeUndefined();
    expect(call.variables).toEqual(ANSWER);
    expect(call.sent).toEqual([String.raw`EXEC "MSet" "AGENTGATE_RESULT=LOGGEDIN,QUEUESTAT=LOGGEDIN,AGENTGATE_NUMBER=79112223344,AGENTGATE_QUEUES=8008\\,8009,AGENTGATE_ERROR="`]);
  });

  it('sends a value MSet would change (quotes, free-text commas, ${...}, brackets, spaces) as a SET VARIABLE of its own, exactly', async () => {
    const odd = { AGENTGATE_PAUSE_REASON: 'Lunch, back "soon" (2) ${EXTEN} $[1+1] a\\b', AGENTGATE_NOTE: 'two words' };
    const { call } = await probe((ch) => ch.setVariables({ ...ANSWER, ...odd }));
    expect(call.variables).toEqual({ ...ANSWER, ...odd });
    expect(call.sent.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['EXEC "MSet"', 'SET VARIABLE', 'SET VARIABLE']);
  });

  it('uses SET VARIABLE alone for a single variable, and one each where Asterisk has no MSet', async () => {
    const one = await probe((ch) => ch.setVariables({ QUEUESTAT: 'ERROR' }));
    expect(one.call.sent).toEqual(['SET VARIABLE "QUEUESTAT" "ERROR"']);
    const old = await probe((ch) => ch.setVariables(ANSWER), { missingApps: ['MSet'] });
    expect(old.call.variables).toEqual(ANSWER);
    expect(old.call.sent.filter((l) => l.startsWith('SET VARIABLE'))).toHaveLength(5);
  });

  it('never puts more than 98 variables in one MSet: Asterisk takes the 99th raw, its escaped commas included', async () => {
    const many = Object.fromEntries([...Array(99).keys()].map((i) => [`V${i}`, i === 98 ? 'a,b' : String(i)]));
    const { call } = await probe((ch) => ch.setVariables(many));
    expect(call.variables).toEqual(many);
    const mset = call.sent.filter((l) => l.startsWith('EXEC'));
    expect(mset).toHaveLength(0);
    const fewer = Object.fromEntries(Object.entries(many).slice(1));
    const r = await probe((ch) => ch.setVariables(fewer));
    expect(r.call.variables).toEqual(fewer);
    expect(r.call.sent).toHaveLength(1);
  });

  it('still sets them on a dead channel, for the h extension', async () => {
    const { error, call } = await probe(async (ch) => {
      await ch.streamFile('agent-loginok').catch(() => undefined);
      await ch.setVariables(ANSWER);
    }, { hangupAt: { command: /STREAM FILE/ } });
    expect(error).toBeUndefined();
    expect(call.variables).toEqual(ANSWER);
  });
});

describe('typed errors', () => {
  it('510 is AgiInvalidCommandError, and the dialogue goes on', async () => {
    const { value, error } = await probe(async (ch) => {
      const err = await ch.command('THIS IS NOT A COMMAND').catch((e: unknown) => e);
      return [err, await ch.getVariable('FOO')];
    }, { channelVariables: { FOO: 'x' } });
    expect(error).toBeUndefined();
    expect(value?.[0]).toBeInstanceOf(AgiInvalidCommandError);
    expect(value?.[1]).toBe('x');
  });

  it.each([false, true])('520 is AgiUsageError (multi-line form: %s) carrying the usage text', async (multiLineUsage) => {
    const { error } = await probe(async (ch) => ch.command('SAY DIGITS'), { multiLineUsage });
    expect(error).toBeInstanceOf(AgiUsageError);
    expect((error as AgiUsageError).usage).toBe(multiLineUsage ? 'Usage: SAY DIGITS\n  (usage text of this build)' : '');
  });
});

describe('the caller hangs up', () => {
  it('during STREAM FILE: result -1, then media commands get AgiDeadChannelError while variables and EXEC still work', async () => {
    const { value, call } = await probe(async (ch) => {
      const played = await ch.streamFile('agent-loginok');
      const afterPrompt = ch.hungUp;
      const said = await ch.sayDigits('7001').catch((e: unknown) => e);
      await ch.setVariable('QUEUESTAT', 'LOGGEDIN');
      const exec = await ch.exec('Set', 'DONE=1');
      return { played, afterPrompt, said, exec, foo: await ch.getVariable('FOO') };
    }, { hangupAt: { command: /^STREAM FILE/ }, channelVariables: { FOO: 'still-here' } });
    expect(value?.played.result).toBe('-1');
    expect(value?.afterPrompt).toBe(true);
    expect(value?.said).toBeInstanceOf(AgiDeadChannelError);
    expect(value?.exec.result).toBe('0');
    expect(value?.foo).toBe('still-here');
    expect(call.variables).toEqual({ QUEUESTAT: 'LOGGEDIN', DONE: '1' });
    expect(call.said).toEqual([]);
  });

  it('during GET DATA: AgiHangupError', async () => {
    const { error, ch } = await probe(async (c) => c.getData('agent-user', 8000, 10), { hangupAt: { command: 1 } });
    expect(error).toBeInstanceOf(AgiHangupError);
    expect(ch.hungUp).toBe(true);
  });

  it('between commands: the HANGUP notice marks the channel dead and the next reply still arrives', async () => {
    const { port } = await startServer({
      probe: async (ch) => {
        await ch.setVariable('STEP', '1');
        await until(() => ch.hungUp, 'the HANGUP notice'); // the caller hangs up now
        await ch.setVariable('HUNGUP', String(ch.hungUp));
        await ch.setVariable('STEP', '2');
      },
    });
    const call = openFastAgiCall(port, { script: 'probe' });
    await call.waitForCommand(/^SET VARIABLE "STEP" "1"/);
    call.hangup();
    const done = await call.done;
    expect(done.variables).toEqual({ STEP: '2', HUNGUP: 'true' });
  });
});

describe('timeouts and a closing socket', () => {
  it('a command with no reply fails with AgiTimeoutError, then the session is closed (late replies would not match)', async () => {
    const { value, call } = await probe(async (ch) => {
      const first = await ch.getVariable('SLOW').catch((e: unknown) => e);
      const next = await ch.getVariable('FOO').catch((e: unknown) => e);
      return [first, next, ch.closed];
    }, { noReplyTo: /SLOW/ }, { commandTimeoutMs: 100 });
    expect(value?.[0]).toBeInstanceOf(AgiTimeoutError);
    expect(value?.[1]).toBeInstanceOf(AgiClosedError);
    expect(value?.[2]).toBe(true);
    expect(call.sent).toEqual(['GET VARIABLE "SLOW"']);
  });

  it('GET DATA may wait its digit timeout on top of the command timeout', async () => {
    const { value } = await probe(async (ch) => ch.getData('agent-user', 300, 4), { replyDelayMs: 200, dtmf: ['12'] }, { commandTimeoutMs: 150 });
    expect(value).toEqual({ digits: '12', timedOut: false });
  });

  it('Asterisk closing the socket settles the pending command and every later one with AgiClosedError', async () => {
    const results: unknown[] = [];
    const { port } = await startServer({
      probe: async (ch) => {
        results.push(await ch.getVariable('PENDING').catch((e: unknown) => e));
        results.push(await ch.setVariable('LATER', '1').catch((e: unknown) => e));
      },
    });
    const call = openFastAgiCall(port, { script: 'probe', noReplyTo: /PENDING/ });
    await call.waitForCommand(/PENDING/);
    call.close();
    await call.done;
    await expect.poll(() => results.length).toBe(2);
    expect(results[0]).toBeInstanceOf(AgiClosedError);
    expect(results[1]).toBeInstanceOf(AgiClosedError);
  });
});
