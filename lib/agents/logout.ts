// Logs an agent out from wherever it is bound: removes its members at the
// bound interface, deletes the binding, clears the AGENTBYCALLERID global it
// set. One member change: members out of Asterisk, the binding released, the
// records dropped closing the intent; a failure puts both back.
import { liveMembership } from '../asterisk/pbx.ts';
import { withMemberChange } from '../members/change.ts';
import { auditBy, type Origin } from '../store/audit.ts';
import { withAgentChange } from './agent-change.ts';
import { queueName } from '../validate.ts';
import { getAgent } from './accounts.ts';
import { agentMembersAt, agentRecordsAt } from './agent-members.ts';
import { bindingOf, bindingStill, restoreBinding, unbindAgent, withBindingRead, type AgentBinding } from './bindings.ts';
import { clearCompatGlobal } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';

export interface LogoutRequest {
  agentId: string;
  origin: Origin;
}

export interface LogoutResult {
  agentId: string;
  /** False when the agent was not logged in: nothing to do, still LOGGEDOUT. */
  wasLoggedIn: boolean;
  binding?: AgentBinding;
  /** Queues the agent's member was removed from. */
  removed: string[];
}

export async function logoutAgent(deps: AgentDeps, req: LogoutRequest): Promise<LogoutResult> {
  const { store, pbx, log } = deps;
  const audit = (action: string, result: string, more?: { queue?: string; detail?: string }) => auditBy(req.origin, req.agentId, action, result, more);

  return withAgentChange(deps, req.agentId, () => withBindingRead(store, req.agentId, async (binding) => {
    // Nothing to do; whatever a half binding left behind is for a forced logout.
    if (!binding) return { agentId: req.agentId, wasLoggedIn: false, removed: [] };
    const iface = binding.interface;
    const removed = await withMemberChange(deps, { subject: req.agentId, interfaces: [iface] }, async (tx) => {
      await bindingStill(store, req.agentId, binding);
      const account = await getAgent(store, req.agentId);
      const records = await agentRecordsAt(store, req.agentId, [iface]);
      const members = agentMembersAt(await liveMembership(pbx, iface), iface, account?.queues.map((q) => q.queue) ?? [], records);
      const applied = await tx.apply({ remove: members, binding: { agentId: req.agentId, was: bindingOf(binding), to: null } });
      await tx.uncertain(
        'unbind agent',
        () => unbindAgent(store, req.agentId, { phone: binding.phone }),
        () => restoreBinding(store, req.agentId, binding, null),
        (was) => was === null,
      );
      const out = applied.removed.map((m) => queueName(m.queue));
      await tx.record({
        remove: [...records.map((r) => ({ queue: r.queue, interface: r.interface })), ...members.map((m) => ({ queue: m.queue, interface: m.interface }))],
        audit: out.length
          ? out.map((queue) => audit('logout', 'OK', { queue, detail: `phone=${binding.phone}` }))
          : [audit('logout', 'OK', { detail: `phone=${binding.phone}, no member in Asterisk` })],
      });
      // Still under the phone's lock: the next agent there sets its own.
      if (deps.compatGlobals) {
        try {
          await clearCompatGlobal(pbx, binding.phone);
        } catch (err) {
          // Asterisk answered the QueueRemoves a moment ago; if it cannot clear the
          // global now, a forced logout (which checks and clears) will.
          log.error({ agent: req.agentId, phone: binding.phone, err: (err as Error).message }, 'could not clear AGENTBYCALLERID');
        }
      }
      return out;
    });
    log.info({ agent: req.agentId, phone: binding.phone, removed }, 'agent logged out');
    return { agentId: req.agentId, wasLoggedIn: true, binding, removed };
  }));
}
