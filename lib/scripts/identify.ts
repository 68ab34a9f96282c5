// Who is calling: the agent bound to this phone needs no PIN (their phone is
// proof enough to log out or pause); an agent calling from their own mobile
// keys only the PIN; anyone else keys ID and PIN.
import type { AgiChannel } from '../agi/channel.ts';
import { agentByMobile, type AgentAccount } from '../agents/accounts.ts';
import { getAgentBinding, getPhoneAgent } from '../agents/bindings.ts';
import type { AgentDeps } from '../agents/deps.ts';
import { askCredentials, DEFAULT_PIN_ENTRY, type PinEntryOptions } from './pin-entry.ts';
import type { AgentScriptRequest } from './agent-request.ts';

export type Identified =
  /** The phone is bound to this agent; no PIN was asked. */
  | { via: 'binding'; agentId: string }
  /** ID (keyed, given or from the mobile) and PIN checked. */
  | { via: 'pin'; agentId: string; account: AgentAccount };

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
