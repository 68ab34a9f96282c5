// Binds an agent to a phone: the agent's queues get a dynamic member ringing
// `Local/<phone>@<context>/n`, named after the agent, with the account's
// penalties. Moving from another phone removes the old members first. Order:
// decide from Asterisk's live state, change Asterisk, record in Redis (the
// binding, then the member records closing the intent), and undo Asterisk
// when the record fails, a lost race for the phone included.
import type { MemberRecord } from '../queues/member-store.ts';
import { recordChange } from '../queues/member-store.ts';
import type { OwnChange } from '../sync/own-changes.ts';
import type { Origin, QueueState } from '../queues/membership.ts';
import { localInterface } from '../queues/names.ts';
import { addMember, liveMembership, removeMember } from '../queues/pbx.ts';
import { appendAudit, type AuditEntry } from '../store/audit.ts';
import { beginIntent } from '../store/intents.ts';
import { getAgent } from './accounts.ts';
import { agentMembersAt, agentRecords, memberState } from './agent-members.ts';
import { agentAudit } from './audit-entry.ts';
import { bindAgent, getAgentBinding, getPhoneAgent, unbindAgent, type AgentBinding, type BindResult } from './bindings.ts';
import { clearCompatGlobal, setCompatGlobal } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';
import { AgentNotFoundError, PhoneTakenError } from './errors.ts';
import { AgentNoQueuesError } from './flow-errors.ts';
import { withAgentLock, withInterfaceLocks } from './locks.ts';

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
  const iface = localInterface(req.phone, req.context);
  const audit = (action: string, result: string, more?: { queue?: string; detail?: string }) => agentAudit(req.origin, req.agentId, action, result, more);

  return withAgentLock(store, req.agentId, async () => {
    // Read again under the lock: the account may have changed, or gone, while the PIN was keyed.
    const account = await getAgent(store, req.agentId);
    if (!account) throw new AgentNotFoundError(req.agentId);
    if (account.queues.length === 0) throw new AgentNoQueuesError(account.id);
    const current = await getAgentBinding(store, account.id);
    const oldIface = current && current.interface !== iface ? current.interface : undefined;

    return withInterfaceLocks(store, oldIface ? [iface, oldIface] : [iface], async () => {
      const holder = await getPhoneAgent(store, req.phone);
      if (holder !== null && holder !== account.id) {
        await appendAudit(store, audit('login', 'REFUSED', { detail: `PHONE_TAKEN phone=${req.phone} agent=${holder}` }));
        throw new PhoneTakenError(req.phone, holder);
      }
      const records = await agentRecords(store, account.id);
      const live = await liveMembership(pbx, iface);
      const before = new Map(account.queues.map((q) => [q.queue, memberState(live.get(q.queue))]));
      const toAdd = account.queues.filter((q) => before.get(q.queue) === 'out');
      const oldMembers = oldIface ? agentMembersAt(await liveMembership(pbx, oldIface), oldIface, account.queues.map((q) => q.queue), records) : [];

      const intentId = toAdd.length || oldMembers.length
        ? await beginIntent(store, {
          subject: account.id,
          adds: toAdd.map((q) => ({ queue: q.queue, interface: iface })),
          removes: oldMembers.map((m) => ({ queue: m.queue, interface: oldIface! })),
        })
        : undefined;

      const after = new Map(before);
      const added = new Set<string>();
      const undo: Array<() => Promise<unknown>> = [];
      const caused: OwnChange[] = [];
      let bound: BindResult | undefined;
      try {
        // The old phone stops ringing before the new one starts.
        for (const m of oldMembers) {
          if ((await removeMember(pbx, { queue: m.queue, interface: oldIface! })) !== 'removed') continue;
          caused.push({ kind: 'removed', queue: m.queue, interface: oldIface!, subject: account.id, paused: false });
          undo.push(() => addMember(pbx, { queue: m.queue, interface: oldIface!, penalty: m.penalty, memberName: m.name, paused: m.paused, reason: m.pausedReason || undefined }));
        }
        for (const q of toAdd) {
          if ((await addMember(pbx, { queue: q.queue, interface: iface, penalty: q.penalty, memberName: account.name, paused: false })) === 'added') {
            undo.push(() => removeMember(pbx, { queue: q.queue, interface: iface }));
            caused.push({ kind: 'added', queue: q.queue, interface: iface, subject: account.id, paused: false });
          }
          added.add(q.queue);
          after.set(q.queue, 'in');
        }
        bound = await bindAgent(store, { agentId: account.id, phone: req.phone, interface: iface, since: Date.now() });

        const now = Date.now();
        const put: MemberRecord[] = account.queues.filter((q) => after.get(q.queue) === 'in').map((q) => {
          const m = live.get(q.queue);
          const rec = records.find((r) => r.queue === q.queue && r.interface === iface);
          return added.has(q.queue)
            ? { queue: q.queue, interface: iface, subject: account.id, kind: 'agent', penalty: q.penalty, name: account.name, since: now, source: 'agentgate', paused: false, reason: '' }
            : { queue: q.queue, interface: iface, subject: account.id, kind: 'agent', penalty: m!.penalty, name: m!.name, since: rec?.since ?? now, source: rec?.source ?? 'external', paused: m!.paused, reason: m!.pausedReason };
        });
        const entries: AuditEntry[] = [];
        if (bound.movedFrom) entries.push(audit('move', 'OK', { detail: `from=${bound.movedFrom.phone} to=${req.phone}` }));
        for (const m of oldMembers) entries.push(audit('logout', 'OK', { queue: m.queue, detail: `moved to ${req.phone}` }));
        for (const q of toAdd) entries.push(audit('login', 'OK', { queue: q.queue, detail: `phone=${req.phone} penalty=${q.penalty}` }));
        if (entries.length === 0) entries.push(audit('login', 'OK', { detail: `already at ${req.phone}` }));
        await recordChange(store, {
          put,
          remove: [
            ...records.filter((r) => r.interface === oldIface).map((r) => ({ queue: r.queue, interface: r.interface })),
            ...oldMembers.map((m) => ({ queue: m.queue, interface: oldIface! })),
          ],
          intentId,
          audit: entries,
        });
      } catch (err) {
        if (bound && !bound.already) {
          await restoreBinding(deps, account.id, req.phone, current).catch((e: Error) => log.error({ err: e.message, agent: account.id }, 'could not restore the binding; the re-sync will settle it'));
        }
        // Newest change first; what cannot be undone stays described by the intent.
        for (const step of undo.reverse()) {
          await step().catch((e: Error) => log.error({ err: e.message, agent: account.id }, 'could not undo a queue change; the re-sync will settle it'));
        }
        if (err instanceof PhoneTakenError) {
          await appendAudit(store, audit('login', 'REFUSED', { detail: `PHONE_TAKEN phone=${req.phone} agent=${err.agentId}` })).catch(() => undefined);
        }
        log.warn({ agent: account.id, phone: req.phone, err: (err as Error).message, undone: undo.length }, 'agent login failed; undone');
        throw err;
      }
      // Recorded, locks still held: the events these changes caused need no reconcile.
      deps.ownChanges?.(caused);

      if (deps.compatGlobals) {
        // Old dialplans only: a failure here leaves the login standing (reapplyCompatGlobals repairs it).
        try {
          if (bound.movedFrom && bound.movedFrom.phone !== req.phone) await clearCompatGlobal(pbx, bound.movedFrom.phone);
          await setCompatGlobal(pbx, req.phone, account.id);
        } catch (err) {
          log.error({ agent: account.id, phone: req.phone, err: (err as Error).message }, 'could not set AGENTBYCALLERID');
        }
      }
      const result: LoginResult = {
        agentId: account.id,
        phone: req.phone,
        interface: iface,
        already: bound.already && toAdd.length === 0,
        queues: account.queues.map((q) => ({ queue: q.queue, before: before.get(q.queue)!, after: after.get(q.queue)! })),
      };
      if (bound.movedFrom) result.movedFrom = bound.movedFrom;
      log.info({ agent: account.id, phone: req.phone, movedFrom: bound.movedFrom?.phone, added: toAdd.map((q) => q.queue), already: result.already }, 'agent logged in');
      return result;
    });
  });
}

/** After a failed record: put the binding back as it was before this login. */
async function restoreBinding(deps: AgentDeps, agentId: string, phone: string, previous: AgentBinding | null): Promise<void> {
  if (previous) await bindAgent(deps.store, { agentId, phone: previous.phone, interface: previous.interface, since: previous.since });
  else await unbindAgent(deps.store, agentId, { phone });
}
