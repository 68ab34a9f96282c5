// Why this exists: every change agentgate makes to a queue member comes back
// from Asterisk as a QueueMemberAdded / Removed / Pause event. Settling such an
// event by a full reconcile (a lock, another QueueStatus, three Redis reads)
// only finds what the change has just recorded, and it cost about a quarter of
// the CPU of a toggle. So a change says, in this process, when it starts on
// some interfaces and, once it has ended, which events it caused (none when it
// failed). An event of an interface with a change in flight waits for its end;
// then a matching expectation sets the lamp from the recorded state, with no
// lock and no Redis. Anything that matches no expectation (GUI, CLI, another
// instance, a change whose record failed) is reconciled as before. Events may
// never come (events off, AMI dropped), so an expectation lives a few seconds;
// the re-sync at every AMI login covers what was missed meanwhile.
import type { LampTarget } from './blf.ts';
import { memberKey } from '../asterisk/interfaces.ts';
import type { OwnChange, OwnChangeHook } from '../members/change.ts';

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

export class OwnChanges implements OwnChangeHook {
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** memberKey + kind -> expectations, oldest first. */
  readonly #expected = new Map<string, Expected[]>();
  /** Interface (lower case) -> the changes in flight there, each with its end. */
  readonly #inFlight = new Map<string, Set<Promise<void>>>();
  /** memberKey + kind -> when an expectation of it was last used: an own add, for the auto-pause. */
  readonly #taken = new Map<string, number>();
  /** No expectation expires before this: #prune has nothing to look at until then. */
  #nextExpiry = Infinity;

  constructor(o: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = o.ttlMs ?? 5000;
    this.#now = o.now ?? Date.now;
  }

  starting(interfaces: readonly string[]): (caused: readonly OwnChange[]) => void {
    let end!: () => void;
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    const ifaces = [...new Set(interfaces.map((i) => i.toLowerCase()))];
    for (const i of ifaces) {
      const set = this.#inFlight.get(i) ?? new Set();
      set.add(done);
      this.#inFlight.set(i, set);
    }
    let ended = false;
    return (caused) => {
      if (ended) return;
      ended = true;
      this.expect(caused);
      for (const i of ifaces) {
        const set = this.#inFlight.get(i);
        set?.delete(done);
        if (set?.size === 0) this.#inFlight.delete(i);
      }
      end();
    };
  }

  /** Resolves once no change that was in flight on `iface` when called is (at once when none). */
  async settled(iface: string): Promise<void> {
    const set = this.#inFlight.get(iface.toLowerCase());
    if (set) await Promise.all(set);
  }

  /** An add of this member by this process is in flight, expected, or was just seen. */
  ownAdd(queue: string, iface: string): boolean {
    if (this.#inFlight.has(iface.toLowerCase())) return true;
    const key = keyOf('added', queue, iface);
    return this.#expected.has(key) || (this.#taken.get(key) ?? 0) > this.#now() - this.#ttlMs;
  }

  expect(changes: readonly OwnChange[]): void {
    const now = this.#now();
    this.#prune(now);
    for (const c of changes) {
      const key = keyOf(c.kind, c.queue, c.interface);
      const list = this.#expected.get(key) ?? [];
      list.push({ change: c, until: now + this.#ttlMs });
      this.#expected.set(key, list);
      this.#nextExpiry = Math.min(this.#nextExpiry, now + this.#ttlMs);
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
      // Re-inserted, so the map stays oldest first and #prune stops at the first fresh one.
      this.#taken.delete(k);
      this.#taken.set(k, now);
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
    for (const [key, at] of this.#taken) {
      if (at > now - this.#ttlMs) break;
      this.#taken.delete(key);
    }
    // Issue 15: this runs at every event; the walk (and its copies) only once something may have expired.
    if (now < this.#nextExpiry) return;
    this.#nextExpiry = Infinity;
    for (const [key, list] of this.#expected) {
      const kept = list.filter((x) => x.until > now);
      if (kept.length === 0) this.#expected.delete(key);
      else if (kept.length !== list.length) this.#expected.set(key, kept);
      for (const x of kept) this.#nextExpiry = Math.min(this.#nextExpiry, x.until);
    }
  }
}

function keyOf(kind: OwnEventKind, queue: string, iface: string): string {
  return `${kind}\u0000${memberKey(queue, iface)}`;
}
