// Why this exists: every change agentgate makes to a queue member comes back
// from Asterisk as a QueueMemberAdded / Removed / Pause event. Settling such an
// event by a full reconcile (another QueueStatus, three Redis reads) only finds
// what the change has just recorded, and it cost about a quarter of the CPU of
// a toggle. So a change, once recorded and still under its `iface:` lock,
// says which events it caused; the tracker, holding that same lock, takes a
// matching expectation instead of reconciling and sets the lamp from the
// recorded state. Anything that matches no expectation (GUI, CLI, another
// instance, a change whose record failed) is reconciled as before. Events may
// never come (events off, AMI dropped), so an expectation lives a few seconds;
// the re-sync at every AMI login covers what was missed meanwhile.
import type { LampTarget } from './blf.ts';
import { memberKey } from '../asterisk/interfaces.ts';
import type { OwnChange } from '../members/change.ts';

const KINDS = ['added', 'removed', 'pause'] as const satisfies ReadonlyArray<OwnChange['kind']>;
export type OwnEventKind = OwnChange['kind'];

/** An event the tracker is settling. */
export interface MemberEventNote {
  /** Undefined when not known: such an event is never taken for an own change. */
  kind?: OwnEventKind;
  queue: string;
}

interface Expected {
  change: OwnChange;
  until: number;
}

export class OwnChanges {
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** memberKey + kind -> expectations, oldest first. */
  readonly #expected = new Map<string, Expected[]>();

  constructor(o: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = o.ttlMs ?? 5000;
    this.#now = o.now ?? Date.now;
  }

  expect(changes: readonly OwnChange[]): void {
    const now = this.#now();
    this.#prune(now);
    for (const c of changes) {
      const key = keyOf(c.kind, c.queue, c.interface);
      const list = this.#expected.get(key) ?? [];
      list.push({ change: c, until: now + this.#ttlMs });
      this.#expected.set(key, list);
    }
  }

  /**
   * The lamps for these events of one interface when every one of them was
   * expected (those expectations are used up), else undefined: the caller
   * reconciles them all. Call holding the interface's lock.
   */
  take(iface: string, events: readonly MemberEventNote[]): LampTarget[] | undefined {
    if (events.length === 0) return undefined;
    const now = this.#now();
    this.#prune(now);
    const used: Array<[string, Expected[], Expected]> = [];
    for (const e of events) {
      const key = e.kind === undefined ? undefined : keyOf(e.kind, e.queue, iface);
      const list = key === undefined ? undefined : this.#expected.get(key);
      const hit = list?.find((x) => !used.some(([, , u]) => u === x));
      if (key === undefined || !list || !hit) {
        // Not ours: the reconcile reads the truth, so what matched is used up,
        // and whatever was still expected for this member is stale (events come in order).
        for (const [k, l, u] of used) this.#drop(k, l, u);
        for (const kind of KINDS) this.#expected.delete(keyOf(kind, e.queue, iface));
        return undefined;
      }
      used.push([key, list, hit]);
    }
    const lamps = new Map<string, LampTarget>();
    for (const [k, l, u] of used) {
      this.#drop(k, l, u);
      const c = u.change;
      // The newest state of each member wins (a pause after an add).
      lamps.set(memberKey(c.queue, c.interface), { queue: c.queue, interface: c.interface, subject: c.subject, in: c.kind !== 'removed', paused: c.kind !== 'removed' && c.paused });
    }
    return [...lamps.values()];
  }

  /** How many expectations are waiting (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const l of this.#expected.values()) n += l.length;
    return n;
  }

  #drop(key: string, list: Expected[], item: Expected): void {
    const i = list.indexOf(item);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#expected.delete(key);
  }

  #prune(now: number): void {
    for (const [key, list] of this.#expected) {
      const kept = list.filter((x) => x.until > now);
      if (kept.length === 0) this.#expected.delete(key);
      else if (kept.length !== list.length) this.#expected.set(key, kept);
    }
  }
}

function keyOf(kind: OwnEventKind, queue: string, iface: string): string {
  return `${kind}\u0000${memberKey(queue, iface)}`;
}
