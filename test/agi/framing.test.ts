// Lines into the environment, replies and HANGUP notices (lib/agi/framing.ts),
// against the recordings; then the same reading through the real server.
import { describe, expect, it } from 'vitest';
import { AgiLineReader, MAX_REPLY_CHARS, type AgiInput } from '../../lib/agi/framing.ts';
import { parseEnvironment } from '../../lib/agi/environment.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { readSessions, session } from './recordings.ts';
import { startServer } from './server-harness.ts';

/** Everything `text` completes, fed line by line as ding-dong hands it over. */
function read(text: string, reader = new AgiLineReader()): AgiInput[] {
  const out: AgiInput[] = [];
  const lines = text.split('\n');
  lines.pop(); // a line is whole only with its LF
  for (const line of lines) {
    const input = reader.push(line);
    if (input) out.push(input);
  }
  return out;
}

const ENV = 'agi_network: yes\nagi_network_script: t\n\n';

describe('the environment block', () => {
  it('ends at its empty line and comes out exactly as sent (agi-session.log, session 1)', () => {
    const reads = session('agi-session.log', 1).filter((e) => e.dir === '<<').map((e) => e.text);
    const [env] = read(reads.join(''));
    expect(env?.kind).toBe('environment');
    const raw = env?.kind === 'environment' ? env.raw : '';
    expect(raw.endsWith('agi_arg_3: a:b\n\n')).toBe(true);
    expect(parseEnvironment(raw).env).toMatchObject({ agi_request: 'agi://127.0.0.1:4573/capture?queue=8008&x=a:b', agi_calleridname: 'Ivan: Petrov' });
  });

  it('is never a reply, whatever its lines look like', () => {
    expect(read('agi_x: 200 result=1 (\nHANGUP\n\n200 result=0\n')).toEqual([
      { kind: 'environment', raw: 'agi_x: 200 result=1 (\nHANGUP\n\n' },
      { kind: 'reply', text: '200 result=0' },
    ]);
  });
});

describe('replies', () => {
  it('reads every recorded session into replies and HANGUP notices, one reply per command', () => {
    for (const file of ['agi-session.log', 'agi-caller-hangup.log', 'agi-pin-entry.log']) {
      for (const [id, events] of readSessions(file)) {
        const first = events.findIndex((e) => e.dir === '>>');
        if (first < 0) continue;
        const commands = events.slice(first).filter((e) => e.dir === '>>').length;
        const inputs = read(ENV + events.slice(first).filter((e) => e.dir === '<<').map((e) => e.text).join('')).slice(1);
        // The last command may be the server closing (no reply), and Asterisk says HANGUP again then.
        expect(inputs.filter((i) => i.kind === 'reply').length, `${file} session ${id}`).toBeGreaterThanOrEqual(commands - 1);
        expect(inputs.every((i) => i.kind !== 'environment')).toBe(true);
      }
    }
  });

  it('the HANGUP notice is told apart from the reply that follows it', () => {
    expect(read(`${ENV}HANGUP\n511 Command Not Permitted on a dead channel or intercept routine\n`).slice(1)).toEqual([
      { kind: 'hangup' },
      { kind: 'reply', text: '511 Command Not Permitted on a dead channel or intercept routine' },
    ]);
  });

  it('joins the lines of the multi-line 520 (builds with XML documentation)', () => {
    const usage = '520-Invalid command syntax.  Proper usage follows:\n Usage: SAY DIGITS <number> <escape digits>\n\n520 End of proper usage.';
    expect(read(`${ENV}${usage}\n200 result=0\n`).slice(1)).toEqual([
      { kind: 'reply', text: usage },
      { kind: 'reply', text: '200 result=0' },
    ]);
  });

  it('joins data that holds a line break (a caller name with CR LF), and only until it closes', () => {
    expect(read(`${ENV}200 result=1 (Ivan\r\nagi_x: y) done)\n200 result=1 (a (b) c)\n`).slice(1)).toEqual([
      { kind: 'reply', text: '200 result=1 (Ivan\r\nagi_x: y) done)' },
      { kind: 'reply', text: '200 result=1 (a (b) c)' },
    ]);
  });

  it(`hands on data still open after ${MAX_REPLY_CHARS} characters as it is`, () => {
    const reader = new AgiLineReader();
    read(ENV, reader);
    expect(reader.push('200 result=1 (never closed')).toBeUndefined();
    let out: AgiInput | undefined;
    for (let i = 0; i < 100 && !out; i++) out = reader.push('x'.repeat(1000));
    expect(out?.kind).toBe('reply');
    expect(out?.kind === 'reply' && out.text.length).toBeGreaterThan(MAX_REPLY_CHARS);
    expect(reader.push('200 result=0')).toEqual({ kind: 'reply', text: '200 result=0' });
  });

  it('skips empty lines between replies', () => {
    expect(read(`${ENV}\n200 result=0\n\n`).slice(1)).toEqual([{ kind: 'reply', text: '200 result=0' }]);
  });
});

describe('through the server', () => {
  it('a variable holding CR LF reads back whole, and the dialogue goes on', async () => {
    let got: (string | undefined)[] = [];
    const { port } = await startServer({
      probe: async (ch) => {
        got = [await ch.getVariable('NAME'), await ch.getVariable('OTHER')];
      },
    });
    await callFastAgi(port, { script: 'probe', channelVariables: { NAME: 'Ivan\r\nagi_x: y', OTHER: 'ok' }, splitReplies: true });
    expect(got).toEqual(['Ivan\r\nagi_x: y', 'ok']);
  });

  it('a reply cut across TCP reads, a line at a time or mid-line, reads whole', async () => {
    let got: unknown[] = [];
    const { port } = await startServer({
      probe: async (ch) => {
        got = [await ch.getVariable('FOO'), (await ch.streamFile('beep')).fields, await ch.getVariable('FOO')];
      },
    });
    await callFastAgi(port, { script: 'probe', channelVariables: { FOO: 'bar:baz' }, splitEnv: 'per-line', splitReplies: true });
    expect(got).toEqual(['bar:baz', { endpos: '11680' }, 'bar:baz']);
  });
});
