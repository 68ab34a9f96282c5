// No value can put a CR, LF or NUL on the AGI socket, whichever method carries
// it: every attempt is refused with AgiUnsafeValueError before anything is
// written, and the session goes on.
import { describe, expect, it } from 'vitest';
import type { AgiChannel } from '../../lib/agi/channel.ts';
import { AgiUnsafeValueError } from '../../lib/agi/errors.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startServer } from './server-harness.ts';

const HOSTILE = [
  'x\nEXEC System "touch /tmp/pwned"',
  'x\r\nAction: Command',
  'Evil\r',
  '\n',
  'x\0y',
  `${'a'.repeat(2100)} EXEC System x`, // cut by Asterisk's 2048-byte read, the tail would run as a command
];

const ATTEMPTS: [string, (ch: AgiChannel, v: string) => Promise<unknown>][] = [
  ['setVariable name', (ch, v) => ch.setVariable(v, '1')],
  ['setVariable value', (ch, v) => ch.setVariable('X', v)],
  ['getVariable', (ch, v) => ch.getVariable(v)],
  ['getFullVariable', (ch, v) => ch.getFullVariable(v)],
  ['exec application', (ch, v) => ch.exec(v)],
  ['exec argument', (ch, v) => ch.exec('Playback', v)],
  ['streamFile file', (ch, v) => ch.streamFile(v)],
  ['streamFile escape digits', (ch, v) => ch.streamFile('beep', v)],
  ['sayDigits', (ch, v) => ch.sayDigits(v)],
  ['sayDigits escape digits', (ch, v) => ch.sayDigits('1', v)],
  ['getData file', (ch, v) => ch.getData(v, 1000, 4)],
  ['verbose', (ch, v) => ch.verbose(v)],
  ['command argument', (ch, v) => ch.command('DATABASE PUT', ['fam', 'key', v])],
  ['command name', (ch, v) => ch.command(`NOOP${v}`)],
];

describe('nothing from outside reaches the AGI wire as a line break', () => {
  it('every channel method refuses CR, LF, NUL and over-long values, and writes nothing for them', async () => {
    const outcomes: { what: string; error: unknown }[] = [];
    const { port } = await startServer({
      probe: async (ch) => {
        for (const [what, attempt] of ATTEMPTS) {
          for (const value of HOSTILE) {
            outcomes.push({ what, error: await attempt(ch, value).then(() => undefined, (e: unknown) => e) });
          }
        }
        await ch.verbose('still talking');
      },
    });
    const call = await callFastAgi(port, { script: 'probe' });
    expect(outcomes).toHaveLength(ATTEMPTS.length * HOSTILE.length);
    for (const o of outcomes) expect(o.error, o.what).toBeInstanceOf(AgiUnsafeValueError);
    // The only thing written in the whole session is the harmless last command.
    expect(call.sent).toEqual(['VERBOSE "still talking" "1"']);
    expect(call.variables).toEqual({});
  });

  it('numbers that are not whole numbers are refused too', async () => {
    const errors: unknown[] = [];
    const { port } = await startServer({
      probe: async (ch) => {
        for (const attempt of [() => ch.getData('beep', Number.NaN, 4), () => ch.getData('beep', 1000, -1), () => ch.getData('beep', 1.5, 4), () => ch.verbose('x', Infinity)]) {
          errors.push(await attempt().then(() => undefined, (e: unknown) => e));
        }
      },
    });
    const call = await callFastAgi(port, { script: 'probe' });
    expect(errors.every((e) => e instanceof AgiUnsafeValueError)).toBe(true);
    expect(call.sent).toEqual([]);
  });

  it('a hostile caller ID read from the environment cannot be echoed onto the wire', async () => {
    let error: unknown;
    const { port } = await startServer({
      probe: async (ch) => {
        error = await ch.setVariable('CALLER', ch.request.callerId).catch((e: unknown) => e);
      },
    });
    const call = await callFastAgi(port, { script: 'probe', callerId: '79112223344\r\nAction: Command' });
    expect(error).toBeInstanceOf(AgiUnsafeValueError);
    expect(call.sent.join('\n')).not.toMatch(/Action: Command|\r/);
  });
});
