// BLF lamps: one `Custom:` device state per member and queue, set with
// `Setvar DEVICE_STATE(Custom:...)` (shared/asterisk/ami-actions.log), so a
// phone key watching the hint shows whether that number or agent is in the
// queue: INUSE logged in, NOT_INUSE logged out, BLF_PAUSED_STATE (ONHOLD by
// default: most phones draw it apart from INUSE) while paused. The lamps follow
// Asterisk's real membership, whatever changed it, because they are set from
// what a reconcile reads back from Asterisk, or, for the echo of agentgate's
// own change, from what that change recorded once Asterisk accepted it
// (own-changes.ts).
import type { PausedLampState } from '../config.ts';
import type { Logger } from '../log.ts';
import { deviceOf } from '../asterisk/interfaces.ts';

export type LampState = 'INUSE' | 'NOT_INUSE' | PausedLampState;

/** A member and queue whose lamp should show `in` (and `paused`) now. */
export interface LampTarget {
  queue: string;
  interface: string;
  subject: string;
  in: boolean;
  paused: boolean;
}

// Inside DEVICE_STATE(...): nothing that ends the call or splits the argument.
const SAFE_NAME = /^Custom:[A-Za-z0-9_+*#.@-]+$/;

/** The lamp's device name, or undefined when this member cannot have one (no device in its interface, odd characters). */
export function lampName(template: string, t: Pick<LampTarget, 'queue' | 'interface' | 'subject'>): string | undefined {
  const dev = deviceOf(t.interface);
  if (template.includes('{dev}') && dev === undefined) return undefined;
  const name = template.replaceAll('{dev}', dev ?? '').replaceAll('{queue}', t.queue).replaceAll('{subject}', t.subject);
  return SAFE_NAME.test(name) ? name : undefined;
}

/**
 * Every lamp name the template can make, as a pattern: to know agentgate's
 * lamps among the devices of the dialplan's hints. Undefined when the template
 * has no name of its own before its first placeholder (`Custom:{dev}{queue}`
 * would match FreePBX's `Custom:DND1001`): such lamps cannot be told apart.
 */
export function lampPattern(template: string): RegExp | undefined {
  // The captured placeholders land at the odd places of the split.
  const parts = template.split(/(\{(?:dev|queue|subject)\})/);
  if (parts[0]!.length <= 'Custom:'.length) return undefined;
  return new RegExp(`^${parts.map((p, i) => (i % 2 === 1 ? '[A-Za-z0-9_+#.@-]+' : p.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))).join('')}$`, 'i');
}

/** Extension states that show a lamp lit: in use, busy or on hold (main/pbx.c's flags 1, 2 and 16). */
const LIT = 1 | 2 | 16;

/** What a rebuild is told of Asterisk's lamps: the hints, read before the members, and the lamps of members not agentgate's to light. */
export interface LampsSeen {
  hints: ReadonlyArray<{ hint: string; status: number }>;
  /** Members whose lamp is left as it is (static members: not agentgate's). */
  leave: ReadonlyArray<Pick<LampTarget, 'queue' | 'interface' | 'subject'>>;
}

/**
 * The state of every lamp the targets name. Two members can share a lamp
 * (Local/1001@a and PJSIP/1001): logged in beats paused beats logged out.
 */
export function lampStates(targets: readonly LampTarget[], template: string, paused: PausedLampState): Map<string, LampState> {
  const rank = (t: LampTarget): number => (t.in ? (t.paused ? 1 : 2) : 0);
  const best = new Map<string, LampTarget>();
  for (const t of targets) {
    const name = lampName(template, t);
    if (name === undefined) continue;
    const cur = best.get(name);
    if (!cur || rank(t) > rank(cur)) best.set(name, t);
  }
  return new Map([...best].map(([name, t]) => [name, t.in ? (t.paused ? paused : 'INUSE') : 'NOT_INUSE']));
}

export interface LampsOptions {
  setvar(variable: string, value: string): Promise<void>;
  template: string;
  pausedState: PausedLampState;
  log: Logger;
  /** Lamps Asterisk did not set are sent again after minMs, doubling up to maxMs while they keep failing. Default 2 s to 60 s. */
  retry?: { minMs: number; maxMs: number };
}

const IN_FLIGHT = 20;

/**
 * Keeps the lamps: remembers what Asterisk was last asked so a live change
 * sends only what differs, and what failed so it is sent again, on a timer of
 * its own and at the next rebuild: a re-sync comes only after a reconnect, and
 * a Setvar can fail with the link up (a timeout under load), which would
 * leave a phone's key wrong for hours.
 * A live change is sent at once, without waiting for other lamps: Asterisk
 * runs one connection's actions in order, so one lamp's states arrive in the
 * order they were asked for. Only a rebuild, sent in batches, holds them back.
 */
export class Lamps {
  readonly #o: LampsOptions;
  readonly #shown = new Map<string, LampState>();
  readonly #failed = new Map<string, LampState>();
  /** The state each lamp was last asked to show (sent, answered or not). */
  readonly #requested = new Map<string, LampState>();
  #rebuilding: Promise<void> | undefined;
  readonly #retry: { minMs: number; maxMs: number };
  #retryTimer: NodeJS.Timeout | undefined;
  /** The wait before the next retry: minMs, doubled at each retry that fails, back to minMs once all are set. */
  #retryMs: number;
  #stopped = false;

  constructor(o: LampsOptions) {
    this.#o = o;
    this.#retry = o.retry ?? { minMs: 2000, maxMs: 60_000 };
    this.#retryMs = this.#retry.minMs;
  }

  /** No more retries; what is in flight finishes. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Sets the lamps of these targets that are not already showing their state. */
  show(targets: readonly LampTarget[]): Promise<void> {
    const send = () => this.#send([...lampStates(targets, this.#o.template, this.#o.pausedState)].filter(([name, state]) => this.#requested.get(name) !== state));
    return this.#rebuilding ? this.#rebuilding.then(send) : send();
  }

  /** Arms the retry timer unless it is armed; the delay armed, or undefined when stopped or already armed. */
  #scheduleRetry(): number | undefined {
    if (this.#retryTimer || this.#stopped) return undefined;
    const ms = this.#retryMs;
    this.#retryMs = Math.min(ms * 2, this.#retry.maxMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      const send = () => this.#send([...this.#failed], true);
      void (this.#rebuilding ? this.#rebuilding.then(send) : send());
    }, ms);
    this.#retryTimer.unref();
    return ms;
  }

  /**
   * After a re-sync: every lamp of `targets` is sent whatever Asterisk showed
   * (a restarted Asterisk may have lost them), and every lamp lit before or
   * left failing that no target names any more is turned off. So is every
   * lamp of agentgate's a hint shows lit (`seen`) with no target and no member
   * behind it: a process killed between a change's record and its lamp, or
   * lamps lit before agentgate ran, leave such lamps, and no one else knows.
   */
  rebuild(targets: readonly LampTarget[], seen?: LampsSeen): Promise<void> {
    const run = (this.#rebuilding ?? Promise.resolve()).then(async () => {
      const wanted = lampStates(targets, this.#o.template, this.#o.pausedState);
      for (const [name, state] of this.#shown) if (!wanted.has(name) && state !== 'NOT_INUSE') wanted.set(name, 'NOT_INUSE');
      for (const name of this.#failed.keys()) if (!wanted.has(name)) wanted.set(name, 'NOT_INUSE');
      if (seen) for (const name of this.#litWithoutTarget(seen, wanted)) wanted.set(name, 'NOT_INUSE');
      await this.#send([...wanted]);
    });
    const mine: Promise<void> = run.catch(() => undefined).finally(() => {
      if (this.#rebuilding === mine) this.#rebuilding = undefined;
    });
    this.#rebuilding = mine;
    return run;
  }

  /** Lamps of this template that hints show lit, named by no target and no member left alone. */
  #litWithoutTarget(seen: LampsSeen, wanted: ReadonlyMap<string, LampState>): string[] {
    const pattern = lampPattern(this.#o.template);
    if (!pattern) return [];
    const known = new Set([...wanted.keys()].map((n) => n.toLowerCase()));
    for (const m of seen.leave) {
      const name = lampName(this.#o.template, m);
      if (name !== undefined) known.add(name.toLowerCase());
    }
    const out = new Set<string>();
    for (const h of seen.hints) {
      if (h.status < 0 || (h.status & LIT) === 0) continue;
      // `PJSIP/1001&Custom:DND1001,CustomPresence:1001`: the devices come before the comma.
      for (const device of h.hint.split(',', 1)[0]!.split('&').map((d) => d.trim())) {
        if (SAFE_NAME.test(device) && pattern.test(device) && !known.has(device.toLowerCase())) out.add(device);
      }
    }
    return [...out];
  }

  async #send(lamps: Array<[string, LampState]>, retrying = false): Promise<void> {
    let failures = 0;
    let lastError = '';
    for (let i = 0; i < lamps.length; i += IN_FLIGHT) {
      await Promise.all(lamps.slice(i, i + IN_FLIGHT).map(async ([name, state]) => {
        // A retry's lamp asked for again since it failed (by a live change, or
        // while an earlier batch waited) is that request's business: checked
        // as each batch goes, or an old state would be sent after a newer one.
        if (retrying && (this.#requested.has(name) || this.#failed.get(name) !== state)) return;
        this.#requested.set(name, state);
        try {
          await this.#o.setvar(`DEVICE_STATE(${name})`, state);
          if (this.#requested.get(name) !== state) return; // asked again meanwhile: that answer counts
          this.#shown.set(name, state);
          this.#failed.delete(name);
        } catch (err) {
          failures += 1;
          lastError = (err as Error).message;
          if (this.#requested.get(name) !== state) return; // asked again meanwhile: that request decides
          this.#requested.delete(name);
          this.#shown.delete(name);
          this.#failed.set(name, state);
        }
      }));
    }
    if (lamps.length) this.#o.log.debug({ lamps: lamps.length, failures, retrying }, 'BLF states set');
    if (failures) {
      const retryMs = this.#scheduleRetry();
      this.#o.log.warn({ failures, err: lastError, ...(retryMs !== undefined ? { retryMs } : {}) }, 'BLF states not set; they are sent again (and at the next re-sync)');
    } else if (retrying || this.#failed.size === 0) {
      this.#retryMs = this.#retry.minMs;
    }
  }
}
