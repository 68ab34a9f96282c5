// The administrator's logout, for when the normal one would not do: Redis and
// Asterisk disagree, the binding is half there, Asterisk still has members
// that Redis lost. It looks in Asterisk itself (one QueueStatus of every
// queue) for members named after the agent or at the interfaces Redis knows
// for it, removes them, clears every AGENTBYCALLERID global that still names
// the agent, and deletes whatever is left of the binding. No undo: the point
// is to get the agent out.
import { recordChange } from '../queues/member-store.ts';
import type { Origin } from '../queues/membership.ts';
import { allMembers, isDynamic, removeMember } from '../queues/pbx.ts';
import { beginIntent } from '../store/intents.ts';
import { getAgent } from './accounts.ts';
import { agentRecords } from './agent-members.ts';
import { agentAudit } from './audit-entry.ts';
import { clearCompatGlobalIf, phoneOfInterface } from './compat-globals.ts';
import type { AgentDeps } from './deps.ts';
import { forceUnbind, readRawBinding } from './force-unbind.ts';
import { withAgentLock, withInterfaceLocks } from './locks.ts';
import { validateAgentId, validatePhone } from './validate.ts';

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
  return withAgentLock(deps.store, req.agentId, () => forceLogoutHeld(deps, req));
}

/** forceLogoutAgent's work; call only while holding the agent lock (deleteAgent does). */
export async function forceLogoutHeld(deps: AgentDeps, req: { agentId: string; origin: Origin }): Promise<ForceLogoutResult> {
  const { store, pbx, log } = deps;
  const id = req.agentId;
  const audit = (result: string, more?: { queue?: string; detail?: string }) => agentAudit(req.origin, id, 'force-logout', result, more);

  const raw = await readRawBinding(store, id);
  const account = await getAgent(store, id);
  const records = await agentRecords(store, id);
  const known = new Set([raw.interface, ...records.map((r) => r.interface)].filter((i): i is string => i !== undefined));
  const targets = (await allMembers(pbx)).filter((m) => isDynamic(m) && (known.has(m.location) || (account !== null && m.name === account.name)));
  const phones = new Set([raw.phone, ...[...known, ...targets.map((m) => m.location)].map(phoneOfInterface)].filter(isPhone));

  return withInterfaceLocks(store, [...known, ...targets.map((m) => m.location)], async () => {
    const intentId = targets.length
      ? await beginIntent(store, { subject: id, adds: [], removes: targets.map((m) => ({ queue: m.queue, interface: m.location })) })
      : undefined;
    const removed: Array<{ queue: string; interface: string }> = [];
    const globalsCleared: string[] = [];
    try {
      for (const m of targets) {
        if ((await removeMember(pbx, { queue: m.queue, interface: m.location })) !== 'static') removed.push({ queue: m.queue, interface: m.location });
      }
      // Whatever set them (this service, or an old AgentCallbackLogin dialplan),
      // clear each global that names this agent, and only those.
      for (const phone of [...phones].sort()) if (await clearCompatGlobalIf(pbx, phone, id)) globalsCleared.push(phone);
    } catch (err) {
      // Record what was done before Asterisk stopped answering; a second forced logout finishes.
      await recordChange(store, {
        remove: removed,
        audit: [audit('ERROR', { detail: `stopped after ${removed.length} of ${targets.length} members: ${(err as Error).message}` })],
      }).catch((e: Error) => log.error({ err: e.message, agent: id }, 'could not record a partial forced logout'));
      throw err;
    }
    const { hadBinding, phonesReleased } = await forceUnbind(store, id, [...phones]);
    await recordChange(store, {
      remove: [...records.map((r) => ({ queue: r.queue, interface: r.interface })), ...removed],
      intentId,
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
    return {
      agentId: id,
      binding: raw.phone || raw.interface ? raw : null,
      removed,
      globalsCleared,
      phonesReleased,
    };
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
