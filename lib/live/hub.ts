// One publisher, many scoped subscribers (the SSE clients). Each event is
// numbered and serialised once; a subscriber gets it only when it is in its
// scope (scope.ts).
import type { LiveEvent } from './events.ts';
import { inScope, type Scope } from './scope.ts';

export interface Delivery {
  /** Increasing over the life of the process. */
  id: number;
  type: LiveEvent['type'];
  /** The event as JSON, one line. */
  json: string;
}

interface Subscriber {
  scope: Scope;
  deliver(d: Delivery): void;
}

export class LiveHub {
  #seq = 0;
  readonly #subs = new Set<Subscriber>();

  /** Returns the unsubscribe function. */
  subscribe(scope: Scope, deliver: (d: Delivery) => void): () => void {
    const sub: Subscriber = { scope, deliver };
    this.#subs.add(sub);
    return () => {
      this.#subs.delete(sub);
    };
  }

  get subscribers(): number {
    return this.#subs.size;
  }

  /** The id the next event will carry, less one: what a snapshot taken now is current to. */
  get lastId(): number {
    return this.#seq;
  }

  publish(events: readonly LiveEvent[]): void {
    for (const e of events) {
      const d: Delivery = { id: ++this.#seq, type: e.type, json: JSON.stringify(e) };
      for (const s of this.#subs) if (inScope(s.scope, e)) s.deliver(d);
    }
  }
}
