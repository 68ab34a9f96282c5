import { describe, expect, it } from 'vitest';
import { AgiUnsafeValueError } from '../../lib/agi/errors.ts';
import { formatCommand, MAX_COMMAND_BYTES, quoteArg } from '../../lib/agi/quote.ts';
import { parseAgiArgs } from '../doubles/fastagi-asterisk.ts';
import { session } from './recordings.ts';

describe("argument quoting as Asterisk's parse_args reads it", () => {
  it.each([
    'LOGGEDIN',
    'a b "quoted" c',
    'back\\slash',
    'trailing\\',
    '\\"',
    '',
    ' ',
    'tab\there',
    'Ivan: Petrov',
    'AgentLogin,Agent: 7911',
    '${CALLERID(name)}',
    'Иван Петров 📞',
  ])('%j arrives as one argument, unchanged', (value) => {
    const line = formatCommand('SET VARIABLE', ['X', value]);
    expect(parseAgiArgs(line)).toEqual(['SET', 'VARIABLE', 'X', value]);
  });

  it('reads like the commands the recordings show Asterisk accepting', () => {
    // The recorded server quoted some arguments and not others; Asterisk read the same words either way.
    const recorded = session('agi-session.log', 1).filter((e) => e.dir === '>>').map((e) => e.text.slice(0, -1));
    const withSpace = recorded.find((l) => l.startsWith('SET VARIABLE WITHSPACE'));
    expect(withSpace).toBe('SET VARIABLE WITHSPACE "a b \\"quoted\\" c"');
    expect(parseAgiArgs(formatCommand('SET VARIABLE', ['WITHSPACE', 'a b "quoted" c']))).toEqual(parseAgiArgs(withSpace as string));
    expect(parseAgiArgs(formatCommand('EXEC', ['UserEvent', 'AgentLogin,Agent: 7911']))).toEqual(parseAgiArgs('EXEC UserEvent "AgentLogin,Agent: 7911"'));
    expect(parseAgiArgs(formatCommand('STREAM FILE', ['agent-loggedoff', '']))).toEqual(parseAgiArgs('STREAM FILE agent-loggedoff ""'));
  });

  it('formats command words bare and every argument quoted', () => {
    expect(formatCommand('GET DATA', ['agent-user', '4000', '10'])).toBe('GET DATA "agent-user" "4000" "10"');
    expect(formatCommand('ANSWER', [])).toBe('ANSWER');
    expect(quoteArg('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it.each([
    ['LF', 'x\nEXEC System "rm -rf /"'],
    ['CR', 'x\rEXEC System'],
    ['CR LF', 'Evil\r\nAction: UserEvent'],
    ['NUL', 'x\0y'],
  ])('refuses a value holding %s with AgiUnsafeValueError', (_, value) => {
    expect(() => formatCommand('SET VARIABLE', ['X', value])).toThrow(AgiUnsafeValueError);
    expect(() => quoteArg(value)).toThrow(/would end the AGI command/);
  });

  it('names the argument but never echoes the value (it may be a PIN)', () => {
    expect(() => formatCommand('SET VARIABLE', ['X', '1234\n'])).toThrow('argument 2 of SET VARIABLE contains LF, which would end the AGI command');
  });

  it('refuses a command longer than Asterisk reads in one go (its tail would run as another command)', () => {
    const fits = 'x'.repeat(MAX_COMMAND_BYTES - 1 - 'SET VARIABLE "X" ""'.length);
    expect(Buffer.byteLength(formatCommand('SET VARIABLE', ['X', fits])) + 1).toBe(MAX_COMMAND_BYTES);
    expect(() => formatCommand('SET VARIABLE', ['X', `${fits}x`])).toThrow(AgiUnsafeValueError);
    expect(() => formatCommand('SET VARIABLE', ['X', 'я'.repeat(1100)])).toThrow(/longer than the 2047 bytes/); // bytes, not characters
  });

  it('refuses a command name that is not upper-case words', () => {
    expect(() => formatCommand('GET VARIABLE\nEXEC', [])).toThrow(AgiUnsafeValueError);
    expect(() => formatCommand('get variable', [])).toThrow(AgiUnsafeValueError);
  });
});
