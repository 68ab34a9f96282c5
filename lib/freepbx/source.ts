// Where FreePBX's QPENALTY tree comes from: AMI, when the user's rights allow,
// or the text of `asterisk -rx "database show QPENALTY"`.
import type { AmiClient } from '../ami/client.ts';
import { AmiActionError, AmiPermissionDeniedError } from '../ami/errors.ts';
import { BadParamsError } from '../errors.ts';
import { parseDatabaseShow, treeFromEntries, type QpenaltyTree } from './qpenalty.ts';

export function treeFromText(text: string): QpenaltyTree {
  const { entries, unreadable } = parseDatabaseShow(text);
  if (entries.length === 0 && unreadable.length > 0) {
    throw new BadParamsError(`the input is not the output of database show QPENALTY (first line: ${JSON.stringify(unreadable[0]!.slice(0, 80))})`);
  }
  return treeFromEntries(entries);
}

const STDIN_ADVICE = 'run on the PBX: asterisk -rx "database show QPENALTY" | npx agentgate import freepbx --from-stdin';

/**
 * DBGetTree (Asterisk 21+, main/db.c; class system or reporting) lists every
 * key; without it, `database show` over Action: Command (class command). The
 * service's own user has neither by default.
 */
export async function treeFromAmi(ami: AmiClient): Promise<QpenaltyTree> {
  try {
    const res = await ami.action({ Action: 'DBGetTree', Family: 'QPENALTY' });
    return treeFromEntries(res.events.filter((e) => e.name === 'DBGetTreeResponse').map((e) => [e.headers.key ?? '', e.headers.val ?? ''] as const));
  } catch (err) {
    const unknown = err instanceof AmiActionError && /^Invalid\/unknown command/.test(err.message);
    if (!(err instanceof AmiPermissionDeniedError) && !unknown) throw err;
  }
  try {
    return treeFromText((await ami.command('database show QPENALTY')).join('\n'));
  } catch (err) {
    if (err instanceof AmiPermissionDeniedError) {
      throw new AmiPermissionDeniedError(`the AMI user may not read astdb (DBGetTree needs reporting, database show needs command); ${STDIN_ADVICE}`);
    }
    throw err;
  }
}
