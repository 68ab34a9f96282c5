// AGI command lines as Asterisk reads them (res_agi.c): parse_args() splits on
// spaces outside double quotes and takes a backslash to escape the next
// character, so each argument is double-quoted with `"` and `\` escaped. What
// no quoting can carry is refused before anything is written: a CR, LF or NUL
// would end the command and run the rest as another one, and fgets() into a
// 2048-byte buffer (AGI_BUF_LEN) cuts a longer line with the same effect.
import { AgiUnsafeValueError } from './errors.ts';

/** Longest command line Asterisk reads whole, the LF included. */
export const MAX_COMMAND_BYTES = 2047;

const UNSAFE: Record<string, string> = { '\r': 'CR', '\n': 'LF', '\0': 'NUL' };

/** `value` as one parse_args() argument; throws AgiUnsafeValueError on CR, LF or NUL. */
export function quoteArg(value: string, what = 'an AGI argument'): string {
  const bad = /[\r\n\0]/.exec(value);
  if (bad) throw new AgiUnsafeValueError(`${what} contains ${UNSAFE[bad[0]]}, which would end the AGI command`);
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** Whether `COMMAND "arg1" "arg2"`, quoted, fits the line Asterisk reads whole. */
export function fitsOneCommand(command: string, args: readonly string[]): boolean {
  return Buffer.byteLength(unchecked(command, args), 'utf8') + 1 <= MAX_COMMAND_BYTES;
}

function unchecked(command: string, args: readonly string[]): string {
  return [command, ...args.map((a, i) => quoteArg(a, `argument ${i + 1} of ${command}`))].join(' ');
}

/** `COMMAND "arg1" "arg2"` without the LF; throws AgiUnsafeValueError if it cannot be sent safely. */
export function formatCommand(command: string, args: readonly string[]): string {
  if (!/^[A-Z]+(?: [A-Z]+)*$/.test(command)) throw new AgiUnsafeValueError(`not an AGI command name: ${JSON.stringify(command)}`);
  const line = unchecked(command, args);
  if (Buffer.byteLength(line, 'utf8') + 1 > MAX_COMMAND_BYTES) {
    throw new AgiUnsafeValueError(`${command} would be longer than the ${MAX_COMMAND_BYTES} bytes Asterisk reads as one command`);
  }
  return line;
}
