import { describe, expect, it } from 'vitest';
import { BadPinFormatError } from '../../lib/agents/errors.ts';
import { DEFAULT_PIN_HASH, hashPin, needsRehash, validatePin, verifyPin } from '../../lib/agents/pin.ts';

const FAST = { ln: 4, r: 1, p: 1 };

describe('PIN hashing', () => {
  it('verifies the right PIN and refuses a wrong one, a prefix, or a longer one', async () => {
    const stored = await hashPin('4821', FAST);
    expect(await verifyPin('4821', stored)).toBe(true);
    expect(await verifyPin('4822', stored)).toBe(false);
    expect(await verifyPin('482', stored)).toBe(false);
    expect(await verifyPin('48210', stored)).toBe(false);
    expect(await verifyPin('', stored)).toBe(false);
  });

  it('salts each hash, keeps no plaintext, and names its own cost', async () => {
    const a = await hashPin('90817263', FAST);
    const b = await hashPin('90817263', FAST);
    expect(a).not.toBe(b);
    expect(a).not.toContain('90817263');
    expect(a).toMatch(/^scrypt\$ln=4,r=1,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('verifies a PIN hashed at another cost, since the cost travels with the hash', async () => {
    const stored = await hashPin('5555', { ln: 5, r: 2, p: 1 });
    expect(await verifyPin('5555', stored)).toBe(true);
    expect(needsRehash(stored, FAST)).toBe(false);
    expect(needsRehash(stored, DEFAULT_PIN_HASH)).toBe(true);
  });

  it('refuses PINs that are not 4 to 12 digits without echoing them', async () => {
    for (const bad of ['123', '1234567890123', '12a4', ' 1234', '1234\r\n', '１２３４', '']) {
      const err = await hashPin(bad, FAST).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadPinFormatError);
      expect((err as BadPinFormatError).code).toBe('BAD_PIN_FORMAT');
      if (bad.trim()) expect((err as Error).message).not.toContain(bad.trim());
    }
    expect(() => validatePin(1234)).toThrow(BadPinFormatError);
    expect(() => validatePin('0000')).not.toThrow();
    expect(() => validatePin('123456789012')).not.toThrow();
  });

  it('treats a stored value that is not a PIN hash as a corrupt record, and refuses absurd costs', async () => {
    await expect(verifyPin('1234', '1234')).rejects.toThrow(/malformed/);
    const stored = await hashPin('1234', FAST);
    await expect(verifyPin('1234', stored.replace('ln=4', 'ln=30'))).rejects.toThrow(/out of range/);
  });
});
