// The administrator's logout, for when the normal one would not do: Redis and
// Asterisk disagree, the binding is half there, Asterisk still has members
// that Redis lost. It looks in Asterisk itself (one QueueStatus of every
// queue) for members named after the agent or at the interfaces Redis knows
// for it, removes them, clears every AGENTBYCALLERID global that still names
// the agent, and deletes whatever is left of the binding. No undo: the point
// is to get the agent out; what a failure leaves is recorded and the intent
// stays for the re-sync.
import { numberOfInterface } from '../asterisk/interfaces.ts';
import { isDynamic } from '../asterisk/member.ts';
import { allMembers } from '../asterisk/pbx.ts';
import { withMemberChange } from '../members/change.ts';
import { listMemberRecords, recordChange } from '../members/records.ts';
import { auditBy, type Origin } from '../store/audit.ts';
import { withAgentChange } from './agent-change.ts';
import { validateAgentId, validatePhone } from '../validate.ts';
import { getAgent } from './accounts.ts';
import { clearCompatGlobalIf } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';
import { bindingOf, getAgentBinding } from './bindings.ts';
import { forceUnbind, readRawBinding } from './force-unbind.ts';
import { compareText } from '../compare-text.ts';

export interface ForceLogoutResult {
  agentId: string;
  /** The binding as it was found (possibly half there), or null. */
  binding: { phone?: string; interface?: string } | null;
  /** Members removed from Asterisk. */
  removed: Array<{ queue: string; interface: string }>;
  /** Phones whose AGENTBYCALLERID global named the agent and was cleared. */
  globalsCleared: string[];
  /** Phones whose binding key named the agent and was deleted. */
  phonesReleased: string[];
}

export async function forceLogoutAgent(deps: AgentDeps, req: { agentId: string; origin: Origin }): Promise<ForceLogoutResult> {
  validateAgentId(req.agentId);
  return withAgentChange(deps, req.agentId, () => forceLogoutHeld(deps, req));
}

/** forceLogoutAgent's work; call only while holding the agent lock (deleteAgent does). */
export async function forceLogoutHeld(deps: AgentDeps, req: { agentId: string; origin: Origin }): Promise<ForceLogoutResult> {
  const { store, pbx, log } = deps;
  const id = req.agentId;
  const audit = (result: string, more?: { queue?: string; detail?: string }) => auditBy(req.origin, id, 'force-logout', result, more);

  const raw = await readRawBinding(store, id);
  // Whole, it goes into the intent: a kill before the record puts it back with the members.
  const whole = await getAgentBinding(store, id);
  const account = await getAgent(store, id);
  // Every record Redis has of the agent, wherever: this is the repair path for
  // when the binding no longer says where the agent is.
  const records = (await listMemberRecords(store)).filter((r) => r.kind === 'agent' && r.subject === id);
  const known = new Set([raw.interface, ...records.map((r) => r.interface)].filter((i): i is string => i !== undefined));
  // In queue order: Asterisk lists queues in its own hash order.
  const targets = (await allMembers(pbx))
    .filter((m) => isDynamic(m) && (known.has(m.interface) || (account !== null && m.name === account.name)))
    .sort((a, b) => compareText(a.queue, b.queue) || compareText(a.interface, b.interface));
  const phones = new Set([raw.phone, ...[...known, ...targets.map((m) => m.interface)].map(numberOfInterface)].filter(isPhone));

  return withMemberChange(deps, { subject: id, interfaces: [...known, ...targets.map((m) => m.interface)], undo: false }, async (tx) => {
    const globalsCleared: string[] = [];
    const removedSoFar = () => tx.progress.removed.concat(tx.progress.absent).map((m) => ({ queue: m.queue, interface: m.interface }));
    try {
      await tx.apply({ remove: targets, binding: { agentId: id, was: bindingOf(whole), to: null } });
      // Whatever set them (this service, or an old AgentCallbackLogin dialplan),
      // clear each global that names this agent, and only those.
      for (const phone of [...phones].sort()) if (await clearCompatGlobalIf(pbx, phone, id)) globalsCleared.push(phone);
    } catch (err) {
      // Record what was done before Asterisk stopped answering; a second forced logout finishes.
      const removed = removedSoFar();
      await recordChange(store, {
        remove: removed,
        audit: [audit('ERROR', { detail: `stopped after ${removed.length} of ${targets.length} members: ${(err as Error).message}` })],
      }).catch((e: Error) => log.error({ err: e.message, agent: id }, 'could not record a partial forced logout'));
      throw err;
    }
    const removed = removedSoFar();
    const { hadBinding, phonesReleased } = await forceUnbind(store, id, [...phones]);
    await tx.record({
      remove: [...records.map((r) => ({ queue: r.queue, interface: r.interface })), ...removed],
      audit: [
        ...removed.map((m) => audit('OK', { queue: m.queue, detail: `removed ${m.interface}` })),
        audit('OK', {
          detail: [
            `binding=${raw.phone ?? '-'}${hadBinding && !raw.interface ? ' (half)' : ''}`,
            `members=${removed.length}`,
            `globals=${globalsCleared.join(',') || '-'}`,
            `phones=${phonesReleased.join(',') || '-'}`,
          ].join(' '),
        }),
      ],
    });
    log.warn({ agent: id, by: req.origin.by, removed: removed.length, globalsCleared, phonesReleased }, 'agent logged out by force');
    return { agentId: id, binding: raw.phone || raw.interface ? raw : null, removed, globalsCleared, phonesReleased };
  });
}

// A phone read from Redis or derived from an interface becomes a key and a
// variable name: anything odd (a corrupt record) is skipped, not fatal.
function isPhone(p: string | undefined): p is string {
  try {
    validatePhone(p);
    return true;
  } catch {
    return false;
  }
}
