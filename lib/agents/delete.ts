// Deleting an agent logs it out first, by force (whatever state its binding
// and members are in), under the same agent lock as the deletion, so no login
// can slip in between and leave a binding to an agent that no longer exists.
import type { Origin } from '../store/audit.ts';
import { appendAudit, auditBy } from '../store/audit.ts';
import { deleteAgentRecord, getAgent } from './accounts.ts';
import type { AgentDeps } from './deps.ts';
import { AgentNotFoundError } from './errors.ts';
import { forceLogoutHeld, type ForceLogoutResult } from './force-logout.ts';
import { withAgentChange } from './agent-change.ts';
import { clearPinFailures } from './pin-guard.ts';
import { validateAgentId } from '../validate.ts';

/** AgentNotFoundError when there is no such account; otherwise logs it out and deletes it. */
export async function deleteAgent(deps: AgentDeps, req: { agentId: string; origin: Origin }): Promise<ForceLogoutResult> {
  validateAgentId(req.agentId);
  return withAgentChange(deps, req.agentId, async () => {
    if (!(await getAgent(deps.store, req.agentId))) throw new AgentNotFoundError(req.agentId);
    const loggedOut = await forceLogoutHeld(deps, req);
    await deleteAgentRecord(deps.store, req.agentId);
    await clearPinFailures(deps.store, req.agentId);
    await appendAudit(deps.store, auditBy(req.origin, req.agentId, 'delete', 'OK', { detail: `members removed=${loggedOut.removed.length}` }));
    deps.log.info({ agent: req.agentId, by: req.origin.by }, 'agent deleted');
    return loggedOut;
  });
}
