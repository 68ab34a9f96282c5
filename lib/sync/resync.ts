// The full re-sync: one QueueStatus for every queue, every record, every
// intent; plan.ts says which interfaces need work, and only those are settled
// (each again under its lock, re-read, so a change made meanwhile is not
// undone). Then every lamp is rebuilt from what Asterisk finally has, and a
// lamp the dialplan's hints show lit with no member behind it is turned off.
import type { Logger } from '../log.ts';
import { listMemberRecords, type MemberRecord } from '../members/records.ts';
import { dropIntent, intentInterfaces, listIntents } from '../store/intents.ts';
import { externalIdentity } from '../asterisk/interfaces.ts';
import { readLive } from '../asterisk/pbx.ts';
import { planSync } from './plan.ts';
import { lampTargets, reconcile, type SyncDeps } from './reconcile.ts';

export interface ResyncReport {
  /** Interfaces that needed work. */
  interfaces: number;
  restored: number;
  adopted: number;
  updated: number;
  dropped: number;
  waiting: number;
  intentsRepaired: number;
  ms: number;
}

// Settling interfaces side by side over the one AMI connection; bounded so a
// restart with hundreds of members does not flood Asterisk.
const PARALLEL = 8;

export async function resync(deps: SyncDeps, by: string): Promise<ResyncReport> {
  const started = Date.now();
  const { pbx, store, log } = deps;
  const live = await readLive(pbx);
  const records = await listMemberRecords(store);
  const intents = await listIntents(store);
  const steps = planSync({ live: live.members, knownQueues: live.known, records, mode: 'resync', policy: deps.policy, now: started });

  const groups = new InterfaceGroups();
  for (const s of steps) if (s.kind !== 'wait') groups.add([s.record.interface]);
  for (const intent of intents) {
    const ifaces = intentInterfaces(intent);
    if (ifaces.length) groups.add(ifaces);
    else await dropIntent(store, intent.id); // names no member: nothing to finish
  }

  const waiting = steps.filter((s) => s.kind === 'wait').length;
  const report: ResyncReport = { interfaces: 0, restored: 0, adopted: 0, updated: 0, dropped: 0, waiting, intentsRepaired: 0, ms: 0 };
  const dropped: MemberRecord[] = [];
  const work = groups.list();
  report.interfaces = work.reduce((n, g) => n + g.length, 0);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const interfaces = work[next++]!;
      const r = await reconcile(deps, { interfaces, mode: 'resync', by, lamps: false });
      report.restored += r.restored.length;
      report.adopted += r.adopted;
      report.updated += r.updated;
      report.dropped += r.dropped.length;
      report.intentsRepaired += r.intentsRepaired;
      dropped.push(...r.dropped);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, work.length) }, worker));

  if (deps.lamps) {
    // The hints before the members: a lamp lit after this read is not turned off by it.
    const hints = await pbx.extensionStates().catch((err: Error) => {
      log.warn({ err: err.message }, 'hints not read (ExtensionStateList): lamps left lit with no member behind them are not looked for');
      return undefined;
    });
    const after = await readLive(pbx);
    const leave = after.members.filter((m) => m.membership !== 'dynamic').map((m) => ({ queue: m.queue, interface: m.interface, subject: externalIdentity(m.interface).subject }));
    await deps.lamps.rebuild(lampTargets(after.members, [], await listMemberRecords(store), dropped), hints && { hints, leave });
  }
  report.ms = Date.now() - started;
  logReport(log, by, report);
  return report;
}

function logReport(log: Logger, by: string, r: ResyncReport): void {
  const changed = r.restored + r.adopted + r.updated + r.dropped + r.intentsRepaired;
  const line = { by, ...r };
  if (r.waiting) log.warn(line, 're-sync done; some records wait for Asterisk to report their queues');
  else if (changed) log.info(line, 're-sync done');
  else log.debug(line, 're-sync done: Asterisk and Redis agree');
}

/** Interfaces that must be settled together (an intent naming several joins them). */
class InterfaceGroups {
  readonly #byKey = new Map<string, Map<string, string>>();

  add(interfaces: readonly string[]): void {
    const group = new Map<string, string>();
    for (const iface of interfaces) {
      for (const [k, v] of this.#byKey.get(iface.toLowerCase()) ?? []) group.set(k, v);
      group.set(iface.toLowerCase(), iface);
    }
    for (const k of group.keys()) this.#byKey.set(k, group);
  }

  list(): string[][] {
    return [...new Set(this.#byKey.values())].map((g) => [...g.values()]);
  }
}
