// Who is calling: the agent bound to this phone needs no PIN (their phone is
// proof enough to log out or pause); an agent calling from their own mobile
// keys only the PIN; anyone else keys ID and PIN.
import type { AgiChannel } from '../agi/channel.ts';
import type { Store } from '../store/redis.ts';
import { listAgents, type AgentAccount } from './accounts.ts';
import { getAgentBinding, getPhoneAgent } from './bindings.ts';
import type { AgentDeps } from './deps.ts';
import { askCredentials, DEFAULT_PIN_ENTRY, type PinEntryOptions } from './pin-entry.ts';
import type { AgentScriptRequest } from './request.ts';

export type Identified =
  /** The phone is bound to this agent; no PIN was asked. */
  | { via: 'binding'; agentId: string }
  /** ID (keyed, given or from the mobile) and PIN checked. */
  | { via: 'pin'; agentId: string; account: AgentAccount };

/**
 * The one agent whose account lists this number as its mobile, or undefined
 * (none, or several: then the caller keys the ID).
 */
export async function agentByMobile(store: Store, phone: string): Promise<string | undefined> {
  // A scan of the accounts: fine for hundreds of agents; an index would belong in accounts.ts.
  const matches = (await listAgents(store)).filter((a) => a.mobile === phone);
  return matches.length === 1 ? matches[0]!.id : undefined;
}

export async function identifyAgent(
  ch: AgiChannel,
  deps: AgentDeps,
  req: AgentScriptRequest,
  opts: PinEntryOptions = DEFAULT_PIN_ENTRY,
): Promise<Identified> {
  const holder = await getPhoneAgent(deps.store, req.phone);
  // The phone counts as proof only while the agent's own binding agrees: a
  // phone key left behind by a half binding must not log out or pause the
  // agent at another phone without a PIN (a forced logout clears it).
  if (holder !== null && (req.agentId === undefined || req.agentId === holder) && (await getAgentBinding(deps.store, holder))?.phone === req.phone) {
    return { via: 'binding', agentId: holder };
  }
  const known = req.agentId ?? (await agentByMobile(deps.store, req.phone));
  const account = await askCredentials(ch, deps, { agentId: known, caller: req.phone, origin: req.origin }, opts);
  return { via: 'pin', agentId: account.id, account };
}
