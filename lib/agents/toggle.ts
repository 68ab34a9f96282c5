// One code for shift start and end: the agent bound to the calling phone is
// logged out (no PIN: the phone is theirs); anyone else who proves who they
// are is logged in here, moving from wherever they were.
import type { AgentDeps } from './deps.ts';
import type { Identified } from './identify.ts';
import { loginAgent, type LoginResult } from './login.ts';
import { logoutAgent, type LogoutResult } from './logout.ts';
import type { AgentScriptRequest } from './request.ts';

export type ToggleResult = { op: 'login'; login: LoginResult } | { op: 'logout'; logout: LogoutResult };

export async function toggleAgent(deps: AgentDeps, who: Identified, req: AgentScriptRequest): Promise<ToggleResult> {
  if (who.via === 'binding') {
    return { op: 'logout', logout: await logoutAgent(deps, { agentId: who.agentId, origin: req.origin }) };
  }
  return { op: 'login', login: await loginAgent(deps, { agentId: who.agentId, phone: req.phone, context: req.context, origin: req.origin }) };
}
