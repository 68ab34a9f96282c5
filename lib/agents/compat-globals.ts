// Old dialplans find the agent at a phone in the global AGENTBYCALLERID_<phone>
// (what AgentCallbackLogin left behind). When AGENT_COMPAT_GLOBALS is on we set
// it at login and clear exactly the name we set at logout; a Setvar with an
// empty Value clears a global (ami-actions.log). Asterisk forgets globals when
// it restarts: reapplyCompatGlobals() sets them again from the bindings.
import type { Logger } from '../log.ts';
import { unavailable } from '../queues/pbx.ts';
import type { Store } from '../store/redis.ts';
import { listBindings } from './bindings.ts';
import { validatePhone } from './validate.ts';

/** Global variables over AMI; AmiClient satisfies it (no channel: global). */
export interface CompatPbx {
  setvar(variable: string, value: string): Promise<void>;
  getvar(variable: string): Promise<string>;
}

export function compatVariable(phone: string): string {
  validatePhone(phone);
  return `AGENTBYCALLERID_${phone}`;
}

/**
 * The phone a member interface rings, as old dialplans named it:
 * `Local/79112223344@ctx/n` -> 79112223344, `PJSIP/1001` -> 1001.
 * undefined when the interface names no such thing.
 */
export function phoneOfInterface(iface: string): string | undefined {
  const m = /^Local\/([^@/]+)@/i.exec(iface) ?? /^[A-Za-z0-9_]+\/([^/@;&]+)$/.exec(iface);
  const phone = m?.[1];
  return phone !== undefined && /^[A-Za-z0-9_.+-]{1,64}$/.test(phone) ? phone : undefined;
}

export async function setCompatGlobal(pbx: CompatPbx, phone: string, agentId: string): Promise<void> {
  const name = compatVariable(phone);
  await pbx.setvar(name, agentId).catch((err: unknown) => unavailable(`Setvar ${name}`, err));
}

export async function clearCompatGlobal(pbx: CompatPbx, phone: string): Promise<void> {
  const name = compatVariable(phone);
  await pbx.setvar(name, '').catch((err: unknown) => unavailable(`Setvar ${name}`, err));
}

/** Clears the global only while it names this agent (another agent may be there now); true when cleared. */
export async function clearCompatGlobalIf(pbx: CompatPbx, phone: string, agentId: string): Promise<boolean> {
  const name = compatVariable(phone);
  const value = await pbx.getvar(name).catch((err: unknown) => unavailable(`Getvar ${name}`, err));
  if (value !== agentId) return false;
  await clearCompatGlobal(pbx, phone);
  return true;
}

/**
 * Sets AGENTBYCALLERID_<phone> for every current binding; call after Asterisk
 * restarts (it starts with no globals). Does nothing when compat is off.
 * Returns how many were set.
 */
export async function reapplyCompatGlobals(deps: { pbx: CompatPbx; store: Store; log: Logger; compatGlobals: boolean }): Promise<number> {
  if (!deps.compatGlobals) return 0;
  const bindings = await listBindings(deps.store);
  for (const b of bindings) await setCompatGlobal(deps.pbx, b.phone, b.agentId);
  deps.log.info({ count: bindings.length }, 'AGENTBYCALLERID globals set again from the bindings');
  return bindings.length;
}
