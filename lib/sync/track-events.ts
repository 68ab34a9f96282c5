// Live tracking: QueueMemberAdded / Removed / Pause say "this member of this
// queue changed"; each is settled by reconciling that interface and queue
// against what Asterisk has when the lock is ours, never by trusting the
// event's own fields. So an event caused by agentgate's own change waits for
// that change to record itself (it holds the lock) and then finds nothing to
// do: no duplicate audit entry, no fight. Events for one interface are settled
// one after another; a burst of them (a GUI "remove from all queues") folds
// into one reconcile.
import type { AmiClient, QueueMemberEvent } from '../ami/client.ts';
import type { Logger } from '../log.ts';

/** Where the member events come from: the AmiClient. */
export type MemberEventSource = Pick<AmiClient, 'on' | 'off'>;

export interface EventTrackerOptions {
  /** Settles one interface in these queues. */
  settle(iface: string, queues: string[]): Promise<void>;
  /** A settle failed (AMI or Redis away, lock busy): the caller arranges a full re-sync. */
  onFailure(err: Error): void;
  log: Logger;
}

const EVENTS = ['QueueMemberAdded', 'QueueMemberRemoved', 'QueueMemberPause'] as const;

export class EventTracker {
  readonly #o: EventTrackerOptions;
  /** Interface -> queues seen in events not yet settled. */
  readonly #pending = new Map<string, Set<string>>();
  readonly #running = new Map<string, Promise<void>>();
  #source: MemberEventSource | undefined;
  #stopped = false;
  readonly #listener = (e: QueueMemberEvent): void => this.note(e.interface, e.queue);

  constructor(o: EventTrackerOptions) {
    this.#o = o;
  }

  listen(source: MemberEventSource): void {
    this.#source = source;
    for (const name of EVENTS) source.on(name, this.#listener);
  }

  /** One member of one queue changed in Asterisk. */
  note(iface: string, queue: string): void {
    if (this.#stopped || iface === '' || queue === '') return;
    const queues = this.#pending.get(iface) ?? new Set<string>();
    queues.add(queue);
    this.#pending.set(iface, queues);
    if (!this.#running.has(iface)) this.#running.set(iface, this.#drain(iface));
  }

  /** Resolves when every event noted so far is settled (or has failed). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all(this.#running.values());
  }

  /** No more events; waits for the ones being settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#source) for (const name of EVENTS) this.#source.off(name, this.#listener);
    this.#pending.clear();
    await this.idle();
  }

  async #drain(iface: string): Promise<void> {
    try {
      for (let queues = this.#pending.get(iface); queues && !this.#stopped; queues = this.#pending.get(iface)) {
        this.#pending.delete(iface);
        try {
          await this.#o.settle(iface, [...queues]);
        } catch (err) {
          this.#o.log.warn({ interface: iface, queues: [...queues], err: (err as Error).message }, 'queue member change not settled; a re-sync will');
          this.#o.onFailure(err as Error);
        }
      }
    } finally {
      this.#running.delete(iface);
    }
  }
}
