// The member context exists and every allowlisted number matches an extension
// in it, so the Local channel a member rings goes somewhere. Asterisk does the
// matching itself: ShowDialPlan with Context and Extension searches the
// context and everything it includes with ast_extension_match (main/pbx.c,
// manager_show_dialplan_helper). ShowDialPlan needs config or reporting.
import type { AmiClient } from '../ami/client.ts';
import { AmiError, AmiPermissionDeniedError } from '../ami/errors.ts';
import { REQUIRED_WRITE } from '../ami/rights.ts';
import { CONFIRM_CONTEXT } from '../asterisk/interfaces.ts';
import { fail, ok, warn, type Check } from './report.ts';

/** FreePBX's desk extensions: a number found here is an extension logging in through from-queue. */
export const DESK_CONTEXT = 'ext-local';

export type Lookup = 'found' | 'no-context' | 'no-extension' | 'denied';

export async function lookup(ami: AmiClient, context: string, exten?: string): Promise<Lookup> {
  try {
    await ami.action({ Action: 'ShowDialPlan', Context: context, Extension: exten });
    return 'found';
  } catch (err) {
    if (err instanceof AmiPermissionDeniedError) return 'denied';
    if (err instanceof AmiError && /^Did not find context/.test(err.message)) return 'no-context';
    if (err instanceof AmiError && /^Did not find extension/.test(err.message)) return 'no-extension';
    throw err;
  }
}

export function reportingLine(user: string): string {
  return `in [${user}] of manager_custom.conf: write = ${[...REQUIRED_WRITE, 'reporting'].join(',')} (reporting only reads); asterisk -rx "manager reload"`;
}

/**
 * With confirm on answer (CONFIRM_ANSWER, the default), mobiles are added as
 * Local/<number>*<context>@agentgate-confirm/n: without the shipped context
 * they ring nothing at all.
 */
export async function confirmContextCheck(ami: AmiClient, user: string): Promise<Check> {
  const found = await lookup(ami, CONFIRM_CONTEXT);
  if (found === 'denied') return warn('confirm-context', `confirm context ${CONFIRM_CONTEXT}: not checked: ShowDialPlan needs the reporting class, which ${user} lacks`, reportingLine(user));
  if (found === 'no-context') {
    return fail('confirm-context', `confirm context ${CONFIRM_CONTEXT}: Asterisk has no such context, so mobile members ring nothing`,
      'paste the [agentgate-confirm] and [agentgate-confirm-answer] contexts of dialplan/extensions_custom.conf and reload, or set CONFIRM_ANSWER=off');
  }
  return ok('confirm-context', `confirm context ${CONFIRM_CONTEXT}: exists (mobiles press a key to take a queue call)`);
}

export async function dialplanChecks(ami: AmiClient, user: string, context: string, numbers: ReadonlyMap<string, string[]>): Promise<Check[]> {
  const head = await lookup(ami, context);
  if (head === 'denied') {
    return [warn('member-context', `member context ${context}: not checked: ShowDialPlan needs the reporting class, which ${user} lacks`, reportingLine(user))];
  }
  if (head === 'no-context') {
    return [fail('member-context', `member context ${context}: Asterisk has no such context, so every member rings nothing`,
      'set MEMBER_CONTEXT to the context of your outbound routes (FreePBX: outbound-allroutes)')];
  }
  const checks: Check[] = [ok('member-context', `member context ${context}: exists`)];
  const unrouted: string[] = [];
  const desks: string[] = [];
  let deskContext: boolean | undefined;
  for (const [number, queues] of numbers) {
    if ((await lookup(ami, context, number)) === 'found') continue;
    deskContext ??= (await lookup(ami, DESK_CONTEXT)) === 'found';
    if (deskContext && (await lookup(ami, DESK_CONTEXT, number)) === 'found') desks.push(number);
    else unrouted.push(`${number} (${queues.join(',')})`);
  }
  const routed = numbers.size - unrouted.length;
  const deskNote = desks.length ? `; ${desks.length} desk extensions found in ${DESK_CONTEXT} (they log in with context=from-queue)` : '';
  if (unrouted.length) {
    checks.push(fail('member-routes', `allowlisted numbers: ${unrouted.length} match no extension in ${context}: ${unrouted.slice(0, 20).join(', ')}${unrouted.length > 20 ? ', ...' : ''}${deskNote}`,
      `add an outbound route whose pattern matches them as agentgate writes them (digits only, after NUMBER_REWRITE), or correct the numbers`));
  } else {
    checks.push(ok('member-routes', `allowlisted numbers: ${routed - desks.length} of ${numbers.size} route in ${context}${deskNote}`));
  }
  return checks;
}
