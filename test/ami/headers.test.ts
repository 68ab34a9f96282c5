// What may reach the AMI wire: nothing that Asterisk would read as the end of
// a line, a cut string, or a dumped line.
import { describe, expect, it } from 'vitest';
import { AmiUnsafeHeaderError } from '../../lib/ami/errors.ts';
import { toWireHeaders, MAX_HEADERS } from '../../lib/ami/headers.ts';

function refusal(input: Parameters<typeof toWireHeaders>[0]): AmiUnsafeHeaderError {
  try {
    toWireHeaders(input);
  } catch (err) {
    if (err instanceof AmiUnsafeHeaderError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('toWireHeaders', () => {
  it('keeps order, drops undefined, spells numbers and booleans', () => {
    expect(toWireHeaders({ Action: 'QueueAdd', Queue: '8008', Penalty: 1, Paused: false, MemberName: undefined })).toEqual({
      Action: 'QueueAdd',
      Queue: '8008',
      Penalty: '1',
      Paused: 'false',
    });
    expect(Object.keys(toWireHeaders({ Z: 'a', A: 'b', M: 'c' }))).toEqual(['Z', 'A', 'M']);
  });

  it.each([
    ['CR LF', 'x\r\nAction: Command'],
    ['bare LF', 'x\nAction: Command'],
    ['bare CR', 'x\rAction: Command'],
    ['NUL', 'x\0y'],
  ])('refuses %s in a value, naming the header but not the value', (_what, value) => {
    const err = refusal({ Action: 'Setvar', Variable: 'V', Value: value });
    expect(err.header).toBe('Value');
    expect(err.code).toBe('AMI_UNSAFE_HEADER');
    expect(err.message).not.toContain('Action: Command');
  });

  it.each([['Bad\r\nName'], ['Bad\nName'], ['Bad:Name'], ['Bad\0Name'], [''], [' Padded']])('refuses the header name %j', (name) => {
    expect(refusal({ Action: 'Ping', [name]: 'x' }).code).toBe('AMI_UNSAFE_HEADER');
  });

  it('refuses an ActionID from the caller: the client numbers its actions', () => {
    expect(refusal({ Action: 'Ping', ActionID: 'mine' }).header).toBe('ActionID');
    expect(refusal({ Action: 'Ping', actionid: 'mine' }).header).toBe('actionid');
  });

  it('a line may take 1024 bytes with its CR LF, not one more (UTF-8 bytes counted)', () => {
    const room = 1024 - 2 - 'Value: '.length;
    expect(toWireHeaders({ Value: 'a'.repeat(room) }).Value).toHaveLength(room);
    expect(refusal({ Value: 'a'.repeat(room + 1) }).header).toBe('Value');
    // 'Ж' is two bytes: 1015 bytes of room hold 'a' and 507 of them, not 508.
    expect(() => toWireHeaders({ Value: `a${'Ж'.repeat(507)}` })).not.toThrow();
    expect(refusal({ Value: 'Ж'.repeat(508) }).header).toBe('Value');
  });

  it('refuses more header lines than Asterisk reads', () => {
    const many = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`H${i}`, 'x']));
    expect(() => toWireHeaders(many(MAX_HEADERS - 1))).not.toThrow();
    expect(refusal(many(MAX_HEADERS)).code).toBe('AMI_UNSAFE_HEADER');
  });

  it('refuses a number that is not finite', () => {
    expect(refusal({ Penalty: Number.NaN }).header).toBe('Penalty');
  });
});
