// The shift-start rush: agents' mobiles dialling the toggle code. Each number
// is in one session at a time; the workload remembers what each toggle must
// have done (LOGGEDIN after LOGGEDOUT and back) and judges every session by the
// QUEUESTAT the script set. A number whose session failed has an unknown state
// from then on and is retired from the pool.
import type { Workload } from './load.ts';
import type { PeerResult, PeerSession } from './peer.ts';

export type QueueStat = 'LOGGEDIN' | 'LOGGEDOUT';

export interface ToggleWorkloadOptions {
  port: number;
  numbers: readonly string[];
  queue: string;
  /**
   * Tell the script the expected outcome in agi_arg_1. The floor scripts (no AMI,
   * no Redis) read it to produce the same dialogue; agentgate ignores it.
   */
  passExpected: boolean;
  replyDelayMs?: number;
  mediaDelayMs?: number;
  timeoutMs?: number;
}

let uniqueSeq = 0;
const uniqueBase = Math.floor(Date.now() / 1000);

/** Why a toggle session is not what it should be, or undefined when it is. */
export function judgeToggle(r: PeerResult, expected: QueueStat): string | undefined {
  if (r.error) return r.error;
  const got = r.variables.QUEUESTAT;
  if (got === expected) return undefined;
  const code = r.variables.AGENTGATE_ERROR ? ` AGENTGATE_ERROR=${r.variables.AGENTGATE_ERROR}` : '';
  return `QUEUESTAT=${got ?? '(not set)'}${code}, expected ${expected}`;
}

export class ToggleWorkload implements Workload {
  #o: ToggleWorkloadOptions;
  readonly #state = new Map<string, QueueStat>();
  readonly #idle: string[];
  readonly retired = new Set<string>();

  constructor(o: ToggleWorkloadOptions) {
    this.#o = o;
    this.#idle = [...o.numbers];
    for (const n of o.numbers) this.#state.set(n, 'LOGGEDOUT');
  }

  next(): { session: PeerSession; finish: (r: PeerResult) => string | undefined } | undefined {
    const number = this.#idle.shift();
    if (number === undefined) return undefined;
    const expected: QueueStat = this.#state.get(number) === 'LOGGEDIN' ? 'LOGGEDOUT' : 'LOGGEDIN';
    const o = this.#o;
    const session: PeerSession = {
      port: o.port,
      script: `queue-toggle?queue=${o.queue}`,
      callerId: number,
      uniqueid: `${uniqueBase}.${++uniqueSeq}`,
      args: o.passExpected ? [expected] : undefined,
      replyDelayMs: o.replyDelayMs,
      mediaDelayMs: o.mediaDelayMs,
      timeoutMs: o.timeoutMs ?? 30_000,
    };
    return {
      session,
      finish: (r) => {
        const verdict = judgeToggle(r, expected);
        if (verdict === undefined) {
          this.#state.set(number, expected);
          this.#idle.push(number);
        } else {
          this.retired.add(number);
          this.#state.delete(number);
        }
        return verdict;
      },
    };
  }

  /** Changes the reply delays from the next session on; the numbers keep their states. */
  setDelays(d: { replyDelayMs?: number; mediaDelayMs?: number }): void {
    this.#o = { ...this.#o, ...d };
  }

  /** Numbers that, by what their sessions said, are logged in now. */
  loggedIn(): string[] {
    return [...this.#state].filter(([, s]) => s === 'LOGGEDIN').map(([n]) => n).sort();
  }

  /** Numbers still in the pool (not retired). */
  get size(): number {
    return this.#state.size;
  }
}
