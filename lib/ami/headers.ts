// Header validation, before anything is written. Asterisk ends a header line at
// CR LF and also at a bare LF, cuts a value at NUL, and dumps a line that does
// not fit its 1025-byte buffer (main/manager.c get_input), reading the tail as
// a fresh header. Any of these in a value taken from outside (a caller ID, a
// member name) could smuggle a header or a whole second action
// ("Action: Command / Command: core stop now") onto the wire.
import { AmiUnsafeHeaderError } from './errors.ts';

export type HeaderInput = Readonly<Record<string, string | number | boolean | undefined>>;

/** Longest line Asterisk reads whole, CR LF included. */
export const MAX_LINE_BYTES = 1024;
/** Asterisk keeps this many header lines of a message (AST_MAX_MANHEADERS) and drops the rest. */
export const MAX_HEADERS = 128;

const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const FORBIDDEN_IN_NAME = /[\r\n\0:]/;

/**
 * The headers as they will be written, in the caller's order: undefined
 * dropped, numbers and booleans spelled out. Throws AmiUnsafeHeaderError (the
 * message names the header, never its value) when one would break the framing.
 * ActionID is refused: the client numbers its actions itself.
 */
export function toWireHeaders(input: HeaderInput): Record<string, string> {
  const out: Record<string, string> = {};
  let lines = 1; // the ActionID line the client adds
  for (const [name, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (name.trim() === '' || name !== name.trim() || FORBIDDEN_IN_NAME.test(name)) {
      throw new AmiUnsafeHeaderError(`AMI header name ${JSON.stringify(name)} is empty, padded, or holds CR, LF, NUL or a colon`, name);
    }
    if (name.toLowerCase() === 'actionid') {
      throw new AmiUnsafeHeaderError('ActionID is chosen by the AMI client, not by the caller', name);
    }
    const value = spell(name, raw);
    if (FORBIDDEN_IN_VALUE.test(value)) {
      throw new AmiUnsafeHeaderError(`AMI header ${name} holds CR, LF or NUL`, name);
    }
    if (Buffer.byteLength(`${name}: ${value}`, 'utf8') + 2 > MAX_LINE_BYTES) {
      throw new AmiUnsafeHeaderError(`AMI header ${name} makes a line longer than ${MAX_LINE_BYTES} bytes`, name);
    }
    lines += 1;
    out[name] = value;
  }
  if (lines > MAX_HEADERS) {
    throw new AmiUnsafeHeaderError(`AMI action has ${lines} header lines; Asterisk reads only ${MAX_HEADERS}`);
  }
  return out;
}

function spell(name: string, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AmiUnsafeHeaderError(`AMI header ${name} is not a finite number`, name);
    return String(value);
  }
  return value;
}
