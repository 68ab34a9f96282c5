// One Asterisk reply (one line, or the lines of a multi-line 520 or of data
// holding a line break, joined by framing.ts) into a value or a typed error.
// Formats from res_agi.c and the recordings in shared/asterisk:
//   200 result=1 (bar:baz)      200 result=0 endpos=11680     200 result= (timeout)
//   510 Invalid or unknown command
//   511 Command Not Permitted on a dead channel or intercept routine
//   520 Invalid command syntax.  Proper usage not available.
//   520-Invalid command syntax.  Proper usage follows: / usage lines / 520 End of proper usage.
import {
  AgiDeadChannelError,
  AgiInvalidCommandError,
  AgiProtocolError,
  AgiUsageError,
} from './errors.ts';

export interface AgiReply {
  code: number;
  /** The token after `result=`, possibly empty (`200 result= (timeout)`). */
  result: string;
  /** The text in parentheses, when there is one; `()` gives ''. */
  data?: string;
  /** Trailing key=value fields such as endpos. */
  fields: Record<string, string>;
}

// The data is greedy: a value may itself hold ') ' or ')', and only a closing
// parenthesis followed by nothing but key=value fields ends it.
const RESULT = /^200 result=(\S*)(?: \(([\s\S]*)\))?((?: [A-Za-z_][A-Za-z0-9_]*=\S*)*)$/;
const OPEN_DATA = /^200 result=\S* \(/;
const USAGE_START = /^(\d{3})-/;

/**
 * Whether the lines received so far for one reply still lack its end: a
 * `520-` usage block runs until its `520 ` line, and data in parentheses until
 * it closes (GET VARIABLE of a caller name holding CR LF sends a line break).
 */
export function replyIsOpen(lines: readonly string[]): boolean {
  const first = lines[0] ?? '';
  const usage = USAGE_START.exec(first);
  if (usage) return !(lines.at(-1) ?? '').startsWith(`${usage[1]} `);
  return OPEN_DATA.test(first) && !RESULT.test(lines.join('\n'));
}

/** Parses a reply; 510, 511 and 520 throw their typed errors, anything unknown AgiProtocolError. */
export function parseReply(text: string, command = 'the command'): AgiReply {
  const code = /^(\d{3})[ -]/.exec(text)?.[1];
  switch (code) {
    case '200': {
      const m = RESULT.exec(text);
      if (!m) throw new AgiProtocolError(`malformed 200 reply to ${command}: ${JSON.stringify(text.slice(0, 200))}`);
      const fields: Record<string, string> = {};
      for (const pair of (m[3] ?? '').split(' ')) {
        if (!pair) continue;
        const eq = pair.indexOf('=');
        fields[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const reply: AgiReply = { code: 200, result: m[1] ?? '', fields };
      if (m[2] !== undefined) reply.data = m[2];
      return reply;
    }
    case '510':
      throw new AgiInvalidCommandError(command);
    case '511':
      throw new AgiDeadChannelError(command);
    case '520':
      throw new AgiUsageError(command, usageText(text));
    default:
      throw new AgiProtocolError(`unexpected reply to ${command}: ${JSON.stringify(text.slice(0, 200))}`);
  }
}

// The one-line form has no usage; the multi-line form has it between its first and last lines.
function usageText(text: string): string {
  const lines = text.split('\n');
  return lines.length < 3 ? '' : lines.slice(1, -1).join('\n');
}
