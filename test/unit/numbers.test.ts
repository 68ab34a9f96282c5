import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { canonicalNumber, compileNumberRules } from '../../lib/numbers.ts';
import { InvalidNumberError } from '../../lib/errors.ts';

const rules = compileNumberRules(loadConfig({ NUMBER_REWRITE: '^8(\\d{10})$=>7$1' }).numbers);

describe('canonical phone numbers from caller IDs', () => {
  it.each([
    ['79112223344', '79112223344'],
    ['+79112223344', '79112223344'],
    ['+7 (911) 222-33-44', '79112223344'],
    ['0079112223344', '79112223344'],
    ['8 911 222 33 44', '79112223344'],
    ['1001', '1001'],
  ])('%j becomes %j', (raw, want) => {
    expect(canonicalNumber(raw, rules)).toBe(want);
  });

  it.each([
    ['anonymous'], ['Anonymous'], ['unknown'], [''], ['   '], ['79112223344\r\nAction: Command'], ['7911\0'],
    ['abc123'], ['7911+2223344'], ['12'], ['1234567890123456'], ['*4580'],
  ])('%j is refused with InvalidNumberError', (raw) => {
    expect(() => canonicalNumber(raw, rules)).toThrow(InvalidNumberError);
  });

  it('applies no national rule unless configured', () => {
    const plain = compileNumberRules(loadConfig({}).numbers);
    expect(canonicalNumber('89112223344', plain)).toBe('89112223344');
  });
});
