// One code for shift start and end: the agent bound to the calling phone is
// logged out (no PIN: the phone is theirs); anyone else who proved who they
// are is logged in here, moving from wherever they were.
import type { Origin } from '../store/audit.ts';
import type { AgentDeps } from './deps.ts';
import { loginAgent, type LoginResult } from './login.ts';
import { logoutAgent, type LogoutResult } from './logout.ts';

export interface ToggleRequest {
  agentId: string;
  /** The calling phone is this agent's binding: the toggle logs out. */
  boundHere: boolean;
  phone: string;
  context: string;
  origin: Origin;
}

export type ToggleResult = { op: 'login'; login: LoginResult } | { op: 'logout'; logout: LogoutResult };

export async function toggleAgent(deps: AgentDeps, req: ToggleRequest): Promise<ToggleResult> {
  if (req.boundHere) return { op: 'logout', logout: await logoutAgent(deps, { agentId: req.agentId, origin: req.origin }) };
  return { op: 'login', login: await loginAgent(deps, { agentId: req.agentId, phone: req.phone, context: req.context, origin: req.origin }) };
}
