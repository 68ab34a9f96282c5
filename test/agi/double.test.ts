// The FastAGI double against the recordings: replaying what the recorded server
// wrote, the double must answer byte for byte what the real Asterisk answered.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { callFastAgi, parseAgiArgs, separateAppArgs, type FastAgiCall, type FastAgiCallOptions } from '../doubles/fastagi-asterisk.ts';
import { environmentReads, session, type WireEvent } from './recordings.ts';

/** Plays the recorded server side against the double; returns what the double sent after its environment. */
async function replay(events: WireEvent[], options: Omit<FastAgiCallOptions, 'script'> & { script?: string }): Promise<{ replies: string; env: string; call: FastAgiCall }> {
  const afterEnv = events.slice(events.findIndex((e) => e.dir === '>>'));
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const played = new Promise<{ replies: string; env: string }>((resolve) => {
    server.once('connection', (sock) => {
      let received = '';
      let env: string | undefined;
      let waiter: (() => void) | undefined;
      sock.on('data', (d) => {
        received += d.toString();
        if (env === undefined && received.includes('\n\n')) {
          env = received.slice(0, received.indexOf('\n\n') + 2);
          received = received.slice(env.length);
        }
        waiter?.();
      });
      const until = (len: number) =>
        new Promise<void>((r) => {
          const check = () => (env !== undefined && received.length >= len ? r() : (waiter = check));
          check();
        });
      sock.on('close', () => resolve({ replies: received, env: env ?? '' }));
      void (async () => {
        let expected = 0;
        await until(0);
        for (const e of afterEnv) {
          if (e.dir === '>>') {
            await until(expected);
            sock.write(e.text);
          } else expected += e.text.length;
        }
        await until(expected - 'HANGUP\n'.length); // everything but the HANGUP that answers our close
        sock.end();
      })();
    });
  });
  const call = await callFastAgi(port, { script: 'capture', ...options });
  const out = await played;
  server.close();
  return { ...out, call };
}

const recordedReplies = (events: WireEvent[]) =>
  events.slice(events.findIndex((e) => e.dir === '>>')).filter((e) => e.dir === '<<').map((e) => e.text).join('');

describe('the FastAGI double answers like the recorded Asterisk', () => {
  it('agi-session.log, session 1: variables, EXEC, STREAM FILE, 510, 520, DATABASE, HANGUP and after', async () => {
    const events = session('agi-session.log', 1);
    const { replies, env, call } = await replay(events, {
      script: 'capture?queue=8008&x=a:b',
      callerIdName: 'Ivan: Petrov',
      args: ['arg1', 'arg 2', 'a:b'],
      channelVariables: { FOO: 'bar:baz' },
      context: 'ivr-test',
      extension: 'capture',
    });
    expect(replies).toBe(recordedReplies(events));
    // The environment has the recorded lines, in the recorded order (only port, uniqueid, channel differ).
    const keys = (text: string) => text.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf(':')));
    expect(keys(env)).toEqual(keys(environmentReads(events).join('')));
    expect(call.variables).toMatchObject({ QUEUESTAT: 'LOGGEDIN', WITHSPACE: 'a b "quoted" c', NOQUOTE: 'abc', RESULT: 'ok' });
    expect(call.played).toEqual(['agent-loginok', 'no-such-sound-file-xyz', 'agent-loggedoff']);
    expect(call.said).toEqual(['79112223344']);
    expect(call.closedByServer).toBe(true);
  });

  it('agi-session.log, session 2: CHANNEL and ANSWER', async () => {
    const events = session('agi-session.log', 2);
    const { replies } = await replay(events, { callerId: '+79112223344', channel: 'Local/s@dummy-00000001;1' });
    expect(replies).toBe(recordedReplies(events));
  });

  it('agi-caller-hangup.log: the caller hangs up during EXEC Wait', async () => {
    const events = session('agi-caller-hangup.log', 1);
    const { replies, call } = await replay(events, { hangupAt: { command: 1 }, channelVariables: { FOO: 'still-here' } });
    expect(replies).toBe(recordedReplies(events));
    expect(call.played).toEqual([]); // EXEC Playback on the dead channel plays to nobody
    expect(call.hungUp).toBe(true);
  });

  it('agi-pin-entry.log, session 3: GET DATA digits and timeout, STREAM FILE with escape digits, EXEC Read', async () => {
    const events = session('agi-pin-entry.log', 3);
    const { replies, call } = await replay(events, { dtmf: ['7001', '1234', '', ''], streamEndpos: 14080 });
    expect(replies).toBe(recordedReplies(events));
    expect(call.prompts).toEqual(['agent-user', 'agent-pass', 'agent-pass', 'agent-pass']);
  });

  it('agi-pin-entry.log, session 4: the caller hangs up during GET DATA', async () => {
    const events = session('agi-pin-entry.log', 4);
    const { replies } = await replay(events, { hangupAt: { command: /^GET DATA/ } });
    expect(replies).toBe(recordedReplies(events));
  });
});

describe("the double's argument parser is Asterisk's", () => {
  it.each([
    ['SET VARIABLE WITHSPACE "a b \\"quoted\\" c"', ['SET', 'VARIABLE', 'WITHSPACE', 'a b "quoted" c']],
    ['STREAM FILE agent-loginok ""', ['STREAM', 'FILE', 'agent-loginok', '']],
    ['EXEC Read "PIN,agent-pass,10,,1,2"', ['EXEC', 'Read', 'PIN,agent-pass,10,,1,2']],
    ['GET FULL VARIABLE ${CALLERID(num)}', ['GET', 'FULL', 'VARIABLE', '${CALLERID(num)}']],
    ['a"b c"d  e\\ f\t"\\\\"', ['ab cd', 'e f', '\\']],
  ])('%j', (line, argv) => {
    expect(parseAgiArgs(line)).toEqual(argv);
  });
});

// Cases worked through main/app.c __ast_app_separate_args() by hand; the real
// MSet is checked in test/asterisk/agi-variables.asterisk.ts.
describe("the double's application argument splitter is Asterisk's", () => {
  it.each([
    ['A=1,B=2', ',', 99, ['A=1', 'B=2']],
    ['A=1,B=', ',', 99, ['A=1', 'B=']],
    ['A=1,', ',', 99, ['A=1', '']],
    ['Q=8008\\,8009,R=x', ',', 99, ['Q=8008,8009', 'R=x']],
    ['N=a "b,c" d,M=(e,f),K=$[g,h]', ',', 99, ['N=a b,c d', 'M=(e,f)', 'K=$[g,h]']],
    ['NAME=', '=', 2, ['NAME', '']],
    ['NAME=v=w\\x"y"', '=', 2, ['NAME', 'v=w\\x"y"']],
    ['', ',', 99, []],
  ] as const)('%j split on %j (at most %i)', (data, delim, max, parts) => {
    expect(separateAppArgs(data, delim, max)).toEqual(parts);
  });
});
