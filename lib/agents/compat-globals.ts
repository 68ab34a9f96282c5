// Old dialplans find the agent at a phone in the global AGENTBYCALLERID_<phone>
// (what AgentCallbackLogin left behind). When AGENT_COMPAT_GLOBALS is on we set
// it at login and clear exactly the name we set at logout; a Setvar with an
// empty Value clears a global (ami-actions.log). Asterisk forgets globals when
// it restarts: reapplyCompatGlobals() sets them again from the bindings.
import { getGlobal, setGlobal, type VariablePbx } from '../asterisk/pbx.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/redis.ts';
import { validatePhone } from '../validate.ts';
import { listBindings } from './bindings.ts';

export function compatVariable(phone: string): string {
  validatePhone(phone);
  return `AGENTBYCALLERID_${phone}`;
}

export async function setCompatGlobal(pbx: VariablePbx, phone: string, agentId: string): Promise<void> {
  const name = compatVariable(phone);
  await setGlobal(pbx, name, agentId);
}

export async function clearCompatGlobal(pbx: VariablePbx, phone: string): Promise<void> {
  const name = compatVariable(phone);
  await setGlobal(pbx, name, '');
}

/** Clears the global only while it names this agent (another agent may be there now); true when cleared. */
export async function clearCompatGlobalIf(pbx: VariablePbx, phone: string, agentId: string): Promise<boolean> {
  const name = compatVariable(phone);
  const value = await getGlobal(pbx, name);
  if (value !== agentId) return false;
  await clearCompatGlobal(pbx, phone);
  return true;
}

/**
 * Sets AGENTBYCALLERID_<phone> for every current binding; call after Asterisk
 * restarts (it starts with no globals). Does nothing when compat is off.
 * Returns how many were set.
 */
export async function reapplyCompatGlobals(deps: { pbx: VariablePbx; store: Store; log: Logger; compatGlobals: boolean }): Promise<number> {
  if (!deps.compatGlobals) return 0;
  const bindings = await listBindings(deps.store);
  for (const b of bindings) await setCompatGlobal(deps.pbx, b.phone, b.agentId);
  deps.log.info({ count: bindings.length }, 'AGENTBYCALLERID globals set again from the bindings');
  return bindings.length;
}
