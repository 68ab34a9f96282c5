import { describe, expect, it } from 'vitest';
import {
  AgiDeadChannelError,
  AgiInvalidCommandError,
  AgiProtocolError,
  AgiUsageError,
} from '../../lib/agi/errors.ts';
import { parseReply } from '../../lib/agi/reply.ts';
import { recordedReplyLines } from './recordings.ts';

describe('reply parsing', () => {
  it('reads every reply line of the recordings: a value, a typed error, or the HANGUP notice', () => {
    const lines = recordedReplyLines();
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      if (line === 'HANGUP') continue; // a notice framing.ts tells apart, never a reply
      try {
        const r = parseReply(line);
        expect(r.code).toBe(200);
      } catch (err) {
        expect([AgiInvalidCommandError, AgiDeadChannelError, AgiUsageError].some((c) => err instanceof c), line).toBe(true);
      }
    }
  });

  it.each([
    ['200 result=1 (bar:baz)', { code: 200, result: '1', data: 'bar:baz', fields: {} }],
    ['200 result=0', { code: 200, result: '0', fields: {} }],
    ['200 result=0 endpos=11680', { code: 200, result: '0', fields: { endpos: '11680' } }],
    ['200 result= (timeout)', { code: 200, result: '', data: 'timeout', fields: {} }],
    ['200 result=1 ()', { code: 200, result: '1', data: '', fields: {} }],
    ['200 result=-2', { code: 200, result: '-2', fields: {} }],
    ['200 result=7001', { code: 200, result: '7001', fields: {} }],
    ['200 result=1 (a b "quoted" c)', { code: 200, result: '1', data: 'a b "quoted" c', fields: {} }],
    ['200 result=1 (Local/s@dummy-00000001;1)', { code: 200, result: '1', data: 'Local/s@dummy-00000001;1', fields: {} }],
    ['200 result=0 (timeout) endpos=8000', { code: 200, result: '0', data: 'timeout', fields: { endpos: '8000' } }],
    ['200 result=1 (x) endpos=5)', { code: 200, result: '1', data: 'x) endpos=5', fields: {} }],
    ['200 result=1 (Evil\r\nAction: UserEvent\r\nUserEvent: LabInjected)', { code: 200, result: '1', data: 'Evil\r\nAction: UserEvent\r\nUserEvent: LabInjected', fields: {} }],
  ])('%j', (line, expected) => {
    expect(parseReply(line)).toStrictEqual(expected);
  });

  it('turns 510 into AgiInvalidCommandError', () => {
    expect(() => parseReply('510 Invalid or unknown command', 'THIS IS')).toThrow(AgiInvalidCommandError);
  });

  it('turns 511 into AgiDeadChannelError', () => {
    expect(() => parseReply('511 Command Not Permitted on a dead channel or intercept routine', 'STREAM FILE')).toThrow(AgiDeadChannelError);
  });

  it('turns the one-line 520 into AgiUsageError without usage text', () => {
    const err = catchError(() => parseReply('520 Invalid command syntax.  Proper usage not available.', 'SAY DIGITS'));
    expect(err).toBeInstanceOf(AgiUsageError);
    expect((err as AgiUsageError).usage).toBe('');
    expect((err as AgiUsageError).code).toBe('AGI_USAGE');
  });

  it('turns the multi-line 520 into AgiUsageError carrying the usage text', () => {
    const text = '520-Invalid command syntax.  Proper usage follows:\n Usage: SAY DIGITS <number> <escape digits>\n\tSay a given digit string.\n520 End of proper usage.';
    const err = catchError(() => parseReply(text, 'SAY DIGITS')) as AgiUsageError;
    expect(err).toBeInstanceOf(AgiUsageError);
    expect(err.usage).toBe(' Usage: SAY DIGITS <number> <escape digits>\n\tSay a given digit string.');
  });

  it.each(['HANGUP', '200 something', '200 result=1 (unclosed', '999 what', 'garbage', ''])('refuses %j as AgiProtocolError', (line) => {
    expect(() => parseReply(line)).toThrow(AgiProtocolError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}
