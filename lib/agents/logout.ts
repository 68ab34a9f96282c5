// Logs an agent out from wherever it is bound: removes its members at the
// bound interface, deletes the binding, clears the AGENTBYCALLERID global it
// set. Same order as login: decide from Asterisk, change Asterisk, record in
// Redis, undo Asterisk when the record fails.
import { recordChange } from '../queues/member-store.ts';
import type { OwnChange } from '../sync/own-changes.ts';
import type { Origin } from '../queues/membership.ts';
import { addMember, liveMembership, removeMember } from '../queues/pbx.ts';
import { beginIntent } from '../store/intents.ts';
import { getAgent } from './accounts.ts';
import { agentMembersAt, agentRecords } from './agent-members.ts';
import { agentAudit } from './audit-entry.ts';
import { bindAgent, getAgentBinding, unbindAgent, type AgentBinding } from './bindings.ts';
import { clearCompatGlobal } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';
import { withAgentLock, withInterfaceLocks } from './locks.ts';

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
  const audit = (action: string, result: string, more?: { queue?: string; detail?: string }) => agentAudit(req.origin, req.agentId, action, result, more);

  return withAgentLock(store, req.agentId, async () => {
    const binding = await getAgentBinding(store, req.agentId);
    // Nothing to do; whatever a half binding left behind is for a forced logout.
    if (!binding) return { agentId: req.agentId, wasLoggedIn: false, removed: [] };
    const iface = binding.interface;
    return withInterfaceLocks(store, [iface], async () => {
      const account = await getAgent(store, req.agentId);
      const records = await agentRecords(store, req.agentId);
      const members = agentMembersAt(await liveMembership(pbx, iface), iface, account?.queues.map((q) => q.queue) ?? [], records);
      const intentId = members.length
        ? await beginIntent(store, { subject: req.agentId, adds: [], removes: members.map((m) => ({ queue: m.queue, interface: iface })) })
        : undefined;

      const removed: string[] = [];
      const caused: OwnChange[] = [];
      const undo: Array<() => Promise<unknown>> = [];
      let unbound = false;
      try {
        for (const m of members) {
          if ((await removeMember(pbx, { queue: m.queue, interface: iface })) !== 'removed') continue;
          removed.push(m.queue);
          caused.push({ kind: 'removed', queue: m.queue, interface: iface, subject: req.agentId, paused: false });
          undo.push(() => addMember(pbx, { queue: m.queue, interface: iface, penalty: m.penalty, memberName: m.name, paused: m.paused, reason: m.pausedReason || undefined }));
        }
        unbound = (await unbindAgent(store, req.agentId, { phone: binding.phone })) !== null;
        await recordChange(store, {
          remove: [
            ...records.filter((r) => r.interface === iface).map((r) => ({ queue: r.queue, interface: iface })),
            ...members.map((m) => ({ queue: m.queue, interface: iface })),
          ],
          intentId,
          audit: [
            ...removed.map((queue) => audit('logout', 'OK', { queue, detail: `phone=${binding.phone}` })),
            ...(removed.length ? [] : [audit('logout', 'OK', { detail: `phone=${binding.phone}, no member in Asterisk` })]),
          ],
        });
      } catch (err) {
        if (unbound) {
          await bindAgent(store, { agentId: req.agentId, phone: binding.phone, interface: iface, since: binding.since })
            .catch((e: Error) => log.error({ err: e.message, agent: req.agentId }, 'could not restore the binding; the re-sync will settle it'));
        }
        for (const step of undo.reverse()) {
          await step().catch((e: Error) => log.error({ err: e.message, agent: req.agentId }, 'could not undo a queue change; the re-sync will settle it'));
        }
        log.warn({ agent: req.agentId, err: (err as Error).message, undone: undo.length }, 'agent logout failed; undone');
        throw err;
      }
      // Recorded, lock still held: the events these changes caused need no reconcile.
      deps.ownChanges?.(caused);

      if (deps.compatGlobals) {
        try {
          await clearCompatGlobal(pbx, binding.phone);
        } catch (err) {
          // Asterisk answered the QueueRemoves a moment ago; if it cannot clear the
          // global now, a forced logout (which checks and clears) will.
          log.error({ agent: req.agentId, phone: binding.phone, err: (err as Error).message }, 'could not clear AGENTBYCALLERID');
        }
      }
      log.info({ agent: req.agentId, phone: binding.phone, removed }, 'agent logged out');
      return { agentId: req.agentId, wasLoggedIn: true, binding, removed };
    });
  });
}
