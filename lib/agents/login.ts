// Binds an agent to a phone: the agent's queues get a dynamic member ringing
// `Local/<phone>@<context>/n`, named after the agent, with the account's
// penalties. Moving from another phone removes the old members first. Check
// (account, phone free, Asterisk's live state), plan, then one member change:
// members moved in Asterisk, the binding taken (a lost race for the phone
// undoes Asterisk), the records written closing the intent.
import { localInterface, sameInterface } from '../asterisk/interfaces.ts';
import { memberState, type QueueState } from '../asterisk/member.ts';
import { liveMembership } from '../asterisk/pbx.ts';
import { withMemberChange } from '../members/change.ts';
import { pauseAgent } from './pause.ts';
import type { MemberRecord } from '../members/records.ts';
import { appendAudit, auditBy, type AuditEntry, type Origin } from '../store/audit.ts';
import { withAgentChange } from './agent-change.ts';
import { getAgent } from './accounts.ts';
import { agentMembersAt, agentRecordsAt } from './agent-members.ts';
import { bindAgent, bindingOf, bindingStill, getPhoneAgent, restoreBinding, withBindingRead } from './bindings.ts';
import { clearCompatGlobal, setCompatGlobal } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';
import { AgentNoQueuesError, AgentNotFoundError, PhoneTakenError } from './errors.ts';

export interface LoginRequest {
  agentId: string;
  /** Canonical phone: an extension or a mobile. */
  phone: string;
  context: string;
  origin: Origin;
}

export interface LoginResult {
  agentId: string;
  phone: string;
  interface: string;
  /** Already bound here with every queue in: nothing changed. */
  already: boolean;
  /** The phone the agent was moved from (its members there are gone). */
  movedFrom?: { phone: string; interface: string };
  queues: Array<{ queue: string; before: QueueState; after: QueueState }>;
}

export async function loginAgent(deps: AgentDeps, req: LoginRequest): Promise<LoginResult> {
  const { store, pbx, log } = deps;
  const iface = localInterface(req.phone, req.context, deps.members);
  const audit = (action: string, result: string, more?: { queue?: string; detail?: string }) => auditBy(req.origin, req.agentId, action, result, more);
  const refusePhoneTaken = (holder: string) => appendAudit(store, audit('login', 'REFUSED', { detail: `PHONE_TAKEN phone=${req.phone} agent=${holder}` }));

  const { result: done, pausedAtLogin } = await withAgentChange(deps, req.agentId, async () => {
    // Read again under the lock: the account may have changed, or gone, while the PIN was keyed.
    const account = await getAgent(store, req.agentId);
    if (!account) throw new AgentNotFoundError(req.agentId);
    if (account.queues.length === 0) throw new AgentNoQueuesError(account.id);
    const { result, pausedAtLogin } = await withBindingRead(store, account.id, async (current) => {
      const oldIface = current && !sameInterface(current.interface, iface) ? current.interface : undefined;
      const ifaces = oldIface ? [iface, oldIface] : [iface];

      return withMemberChange(deps, { subject: account.id, interfaces: ifaces }, async (tx) => {
        await bindingStill(store, account.id, current);
        const holder = await getPhoneAgent(store, req.phone);
        if (holder !== null && holder !== account.id) {
          await refusePhoneTaken(holder);
          throw new PhoneTakenError(req.phone, holder);
        }
        const records = await agentRecordsAt(store, account.id, ifaces);
        const live = await liveMembership(pbx, iface);
        const before = new Map(account.queues.map((q) => [q.queue, memberState(live.get(q.queue))]));
        const toAdd = account.queues.filter((q) => before.get(q.queue) === 'out');
        /** Queues the agent was already in at this phone, paused, when it logged in again. */
        const pausedAtLogin = account.queues.filter((q) => before.get(q.queue) === 'in' && live.get(q.queue)!.paused).map((q) => q.queue);
        const oldMembers = oldIface ? agentMembersAt(await liveMembership(pbx, oldIface), oldIface, account.queues.map((q) => q.queue), records) : [];

        const to = { phone: req.phone, interface: iface };
        await tx.apply({
          remove: oldMembers,
          add: toAdd.map((q) => ({ queue: q.queue, interface: iface, penalty: q.penalty, name: account.name, paused: false })),
          binding: { agentId: account.id, was: bindingOf(current), to },
        });
        let bound;
        try {
          bound = await tx.uncertain(
            'bind agent',
            () => bindAgent(store, { agentId: account.id, phone: req.phone, interface: iface, since: Date.now() }),
            () => restoreBinding(store, account.id, current, to),
            (b) => b.already,
          );
        } catch (err) {
          if (err instanceof PhoneTakenError) await refusePhoneTaken(err.agentId).catch(() => undefined);
          throw err;
        }

        const after = new Map(before);
        for (const q of toAdd) after.set(q.queue, 'in');
        const now = Date.now();
        const put: MemberRecord[] = account.queues.filter((q) => after.get(q.queue) === 'in').map((q) => {
          const m = live.get(q.queue);
          const rec = records.find((r) => r.queue === q.queue && sameInterface(r.interface, iface));
          return !m
            ? { queue: q.queue, interface: iface, subject: account.id, kind: 'agent', penalty: q.penalty, name: account.name, since: now, source: 'agentgate', paused: false, reason: '' }
            : { queue: q.queue, interface: iface, subject: account.id, kind: 'agent', penalty: m.penalty, name: m.name, since: rec?.since ?? now, source: rec?.source ?? 'external', paused: m.paused, reason: m.pausedReason };
        });
        const entries: AuditEntry[] = [];
        if (bound.movedFrom) entries.push(audit('move', 'OK', { detail: `from=${bound.movedFrom.phone} to=${req.phone}` }));
        for (const m of oldMembers) entries.push(audit('logout', 'OK', { queue: m.queue, detail: `moved to ${req.phone}` }));
        for (const q of toAdd) entries.push(audit('login', 'OK', { queue: q.queue, detail: `phone=${req.phone} penalty=${q.penalty}` }));
        if (entries.length === 0) entries.push(audit('login', 'OK', { detail: `already at ${req.phone}` }));
        await tx.record({
          put,
          remove: [
            ...records.filter((r) => oldIface !== undefined && sameInterface(r.interface, oldIface)).map((r) => ({ queue: r.queue, interface: r.interface })),
            ...oldMembers.map((m) => ({ queue: m.queue, interface: m.interface })),
          ],
          audit: entries,
        });
        const res: LoginResult = {
          agentId: account.id,
          phone: req.phone,
          interface: iface,
          already: bound.already && toAdd.length === 0,
          queues: account.queues.map((q) => ({ queue: q.queue, before: before.get(q.queue)!, after: after.get(q.queue)! })),
        };
        if (bound.movedFrom) res.movedFrom = bound.movedFrom;
        // Old dialplans only, still under the phones' locks (another agent may
        // take the phone left the moment they are released). A failure leaves
        // the login standing: reapplyCompatGlobals repairs it.
        if (deps.compatGlobals) {
          try {
            if (bound.movedFrom && bound.movedFrom.phone !== req.phone) await clearCompatGlobal(pbx, bound.movedFrom.phone);
            await setCompatGlobal(pbx, req.phone, account.id);
          } catch (err) {
            log.error({ agent: account.id, phone: req.phone, err: (err as Error).message }, 'could not set AGENTBYCALLERID');
          }
        }
        return { result: res, pausedAtLogin };
      });
    });
    log.info({ agent: account.id, phone: req.phone, movedFrom: result.movedFrom?.phone, added: result.queues.filter((q) => q.before !== q.after).map((q) => q.queue), already: result.already }, 'agent logged in');
    return { result, pausedAtLogin };
  });
  // Logging in again means ready for calls: a pause (an auto-pause after
  // unanswered rings, a break) is lifted, once the agent lock is free again.
  for (const queue of pausedAtLogin) await pauseAgent(deps, { agentId: req.agentId, mode: 'unpause', queue, origin: req.origin });
  return done;
}
