// Live tracking: QueueMemberAdded / Removed / Pause say "this member of this
// queue changed"; each is settled by reconciling that interface and queue
// against what Asterisk has when the lock is ours, never by trusting the
// event's own fields. So an event caused by agentgate's own change waits for
// that change to record itself (it holds the lock) and then finds nothing to
// do: no duplicate audit entry, no fight. Events for one interface are settled
// one after another; a burst of them (a GUI "remove from all queues") folds
// into one reconcile. The events' kinds go along so that the settle can tell
// agentgate's own recorded changes apart (own-changes.ts).
import type { AmiClient, QueueMemberEvent } from '../ami/client.ts';
import type { Logger } from '../log.ts';
import type { MemberEventNote, OwnEventKind } from './own-changes.ts';

/** Where the member events come from: the AmiClient. */
export type MemberEventSource = Pick<AmiClient, 'on' | 'off'>;

export interface EventTrackerOptions {
  /** Settles one interface in these queues; `events` are the events folded in, oldest first. */
  settle(iface: string, queues: string[], events: MemberEventNote[]): Promise<void>;
  /** A settle failed (AMI or Redis away, lock busy): the caller arranges a full re-sync. */
  onFailure(err: Error): void;
  log: Logger;
}

const EVENTS = { QueueMemberAdded: 'added', QueueMemberRemoved: 'removed', QueueMemberPause: 'pause' } as const satisfies Record<string, OwnEventKind>;
type EventName = keyof typeof EVENTS;
const NAMES = Object.keys(EVENTS) as EventName[];

export class EventTracker {
  readonly #o: EventTrackerOptions;
  /** Interface -> events not yet settled. */
  readonly #pending = new Map<string, MemberEventNote[]>();
  readonly #running = new Map<string, Promise<void>>();
  #source: MemberEventSource | undefined;
  #stopped = false;
  readonly #listeners = new Map(NAMES.map((name) => [name, (e: QueueMemberEvent): void => this.note(e.interface, e.queue, EVENTS[name])]));

  constructor(o: EventTrackerOptions) {
    this.#o = o;
  }

  listen(source: MemberEventSource): void {
    this.#source = source;
    for (const [name, listener] of this.#listeners) source.on(name, listener);
  }

  /** One member of one queue changed in Asterisk; `kind` is the event's (undefined: reconcile whatever). */
  note(iface: string, queue: string, kind?: OwnEventKind): void {
    if (this.#stopped || iface === '' || queue === '') return;
    const events = this.#pending.get(iface) ?? [];
    events.push({ queue, kind });
    this.#pending.set(iface, events);
    if (!this.#running.has(iface)) this.#running.set(iface, this.#drain(iface));
  }

  /** Resolves when every event noted so far is settled (or has failed). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all(this.#running.values());
  }

  /** No more events; waits for the ones being settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#source) for (const [name, listener] of this.#listeners) this.#source.off(name, listener);
    this.#pending.clear();
    await this.idle();
  }

  async #drain(iface: string): Promise<void> {
    try {
      for (let events = this.#pending.get(iface); events && !this.#stopped; events = this.#pending.get(iface)) {
        this.#pending.delete(iface);
        const queues = [...new Set(events.map((e) => e.queue))];
        try {
          await this.#o.settle(iface, queues, events);
        } catch (err) {
          this.#o.log.warn({ interface: iface, queues, err: (err as Error).message }, 'queue member change not settled; a re-sync will');
          this.#o.onFailure(err as Error);
        }
      }
    } finally {
      this.#running.delete(iface);
    }
  }
}
