// Which AMI write classes the user has. No action lists a user's rights, so
// each class is probed with an action registered under that class alone,
// built so that it cannot change anything: Asterisk checks the class before
// the action runs (process_message() in main/manager.c answers "Permission
// denied"), and the action itself then fails on a missing or impossible
// argument. Read classes cannot be probed this way (see ami-login.ts).
import type { AmiClient } from '../ami/client.ts';
import { AmiActionError, AmiDisconnectedError, AmiPermissionDeniedError, AmiTimeoutError } from '../ami/errors.ts';
import type { HeaderInput } from '../ami/headers.ts';
import { REQUIRED_WRITE } from '../ami/rights.ts';
import { fail, ok, warn, type Check } from './report.ts';

export type Probed = 'yes' | 'no' | 'unknown';

/** A channel no call can have: Setvar on it answers "No such channel" and sets nothing. */
const NO_CHANNEL = 'Local/agentgate-doctor-probe@agentgate-doctor-none-00000000;1';

export const PROBES: Record<string, HeaderInput> = {
  // apps/app_queue.c load_module: ast_manager_register_xml("QueuePause", EVENT_FLAG_AGENT, ...).
  // Unpausing an interface no queue has: "Interface not found"; set_member_paused() touches and
  // queue_logs (UNPAUSEALL) only members it finds, so nothing changes.
  agent: { Action: 'QueuePause', Interface: 'Local/agentgate-doctor-probe@agentgate-doctor-none/n', Paused: false },
  // main/manager.c __init_manager: ast_manager_register_xml_core("Setvar", EVENT_FLAG_CALL, ...).
  // On a channel that does not exist: "No such channel" (action_setvar), no global is touched.
  call: { Action: 'Setvar', Channel: NO_CHANNEL, Variable: 'AGENTGATE_DOCTOR_PROBE', Value: '' },
  // main/manager.c: ast_manager_register_xml_core("Filter", EVENT_FLAG_SYSTEM, ...).
  // Without Operation: Add, action_filter answers "Unknown operation" and adds no filter.
  system: { Action: 'Filter' },
  // main/manager.c: ast_manager_register_xml_core("Command", EVENT_FLAG_COMMAND, ...). A read-only CLI command.
  command: { Action: 'Command', Command: 'core show version' },
  // main/manager.c: ast_manager_register_xml_core("ListCategories", EVENT_FLAG_CONFIG, ...).
  // Without Filename: "Filename not specified" before any file is read.
  config: { Action: 'ListCategories' },
  // main/manager.c: ast_manager_register_xml_core("Originate", EVENT_FLAG_ORIGINATE, ...).
  // Without Channel: "Channel not specified", nothing is dialled.
  originate: { Action: 'Originate' },
  // main/manager.c: ast_manager_register_xml_core("CoreSettings", EVENT_FLAG_SYSTEM | EVENT_FLAG_REPORTING, ...):
  // reporting when system is absent (decided in decideRights). Read-only.
  'system|reporting': { Action: 'CoreSettings' },
  // main/pbx.c: ast_manager_register_xml_core("ShowDialPlan", EVENT_FLAG_CONFIG | EVENT_FLAG_REPORTING, ...):
  // reporting when config is absent. Read-only; a context that cannot exist answers "Did not find context".
  'config|reporting': { Action: 'ShowDialPlan', Context: 'agentgate-doctor-none' },
  // `user` is not probed: UserEvent (EVENT_FLAG_USER) sends its event whatever it is given (action_userevent).
};

/** Classes the service never needs; having them is worth a warning. */
export const EXCESS_CLASSES = ['system', 'command', 'config', 'originate'] as const;
/** Not needed to run, but lets doctor check the dialplan and import read astdb. */
export const OPTIONAL_CLASS = 'reporting';

export async function probe(ami: AmiClient, headers: HeaderInput): Promise<Probed> {
  try {
    await ami.action(headers);
    return 'yes';
  } catch (err) {
    if (err instanceof AmiPermissionDeniedError) return 'no';
    // An unknown action (module not loaded), or no answer: cannot tell.
    if (err instanceof AmiActionError && /^Invalid\/unknown command/.test(err.message)) return 'unknown';
    if (err instanceof AmiTimeoutError || err instanceof AmiDisconnectedError) return 'unknown';
    return 'yes';
  }
}

/** Every class we can tell, from the probe answers. */
export function decideRights(answers: Readonly<Record<string, Probed>>): Record<string, Probed> {
  const out: Record<string, Probed> = {};
  for (const c of ['agent', 'call', 'system', 'command', 'config', 'originate']) out[c] = answers[c] ?? 'unknown';
  const viaCore = answers['system|reporting'] ?? 'unknown';
  const viaDialplan = answers['config|reporting'] ?? 'unknown';
  if (viaCore === 'no' || viaDialplan === 'no') out.reporting = 'no';
  else if ((viaCore === 'yes' && out.system === 'no') || (viaDialplan === 'yes' && out.config === 'no')) out.reporting = 'yes';
  else out.reporting = 'unknown';
  return out;
}

/** The `write =` line the service's user should have, keeping reporting when it has it. */
export function writeLine(rights: Readonly<Record<string, Probed>>): string {
  return `write = ${[...REQUIRED_WRITE, ...(rights.reporting === 'yes' ? [OPTIONAL_CLASS] : [])].join(',')}`;
}

export function rightsChecks(user: string, rights: Readonly<Record<string, Probed>>): Check[] {
  const missing = REQUIRED_WRITE.filter((c) => rights[c] === 'no');
  const unknown = REQUIRED_WRITE.filter((c) => rights[c] === 'unknown');
  const checks: Check[] = [];
  if (missing.length) {
    checks.push(fail('ami-rights', `AMI rights of ${user}: missing write ${missing.join(',')} (needed for ${missing.map((c) => (c === 'agent' ? 'QueueAdd/QueueRemove/QueuePause' : 'Setvar/Getvar')).join('; ')})`,
      `in [${user}] of manager_custom.conf: ${writeLine(rights)}; asterisk -rx "manager reload"`));
  } else if (unknown.length) {
    checks.push(warn('ami-rights', `AMI rights of ${user}: cannot tell whether it writes ${unknown.join(',')}`, 'check the write line of the user in manager_custom.conf'));
  } else {
    checks.push(ok('ami-rights', `AMI rights of ${user}: writes ${REQUIRED_WRITE.join(',')} as needed`));
  }
  const excess = EXCESS_CLASSES.filter((c) => rights[c] === 'yes');
  checks.push(excess.length
    ? warn('ami-excess', `AMI rights of ${user}: more than it needs: ${excess.join(',')} (it could reload modules, run CLI commands, edit config or place calls)`,
      `in [${user}] of manager_custom.conf: ${writeLine(rights)}; asterisk -rx "manager reload"`)
    : ok('ami-excess', `AMI rights of ${user}: nothing beyond what it needs (${EXCESS_CLASSES.join(', ')} refused)`));
  return checks;
}

export async function probeRights(ami: AmiClient): Promise<Record<string, Probed>> {
  const answers: Record<string, Probed> = {};
  for (const [name, headers] of Object.entries(PROBES)) answers[name] = await probe(ami, headers);
  return decideRights(answers);
}
