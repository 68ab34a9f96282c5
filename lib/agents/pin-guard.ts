// Wrong PINs are counted twice: per agent (someone guessing one agent's PIN
// from many phones) and per caller (one phone guessing across many agents).
// Each counter lives in Redis with an expiry, so every instance sharing the
// Redis sees the same counts. A counter reaching maxFailures locks for
// lockoutSec from that failure; otherwise it is forgotten windowSec after the
// first failure.
//
// A correct PIN clears only that agent's counter, never the caller's: else an
// attacker who knows one PIN (their own) could reset the phone's count between
// guesses at other agents. The caller's count simply expires.
import { runLua } from '../store/lua.ts';
import { execTx, storeOp, type Store } from '../store/redis.ts';
import { PinLockedOutError } from './errors.ts';
import { validateAgentId } from '../validate.ts';
import { isHashedSubject } from './keyed-id.ts';

export interface PinGuardLimits {
  /** Wrong PINs that lock (the Nth locks). */
  maxFailures: number;
  /** How long a lock-out lasts, from the failure that caused it. */
  lockoutSec: number;
  /** How long failures below the limit are remembered; defaults to lockoutSec. */
  windowSec?: number;
}

export interface PinAttempt {
  /** The agent id; for an ID that names no agent, its keyed hash (keyed-id.ts), never the digits as keyed. */
  agentId: string;
  /**
   * The canonical caller number. Absent, hidden or odd caller IDs all count
   * together as "anonymous": hiding the number must not escape the limit.
   */
  caller?: string;
}

export type PinScope = 'agent' | 'caller';

export interface PinFailureResult {
  /** True when this failure locked the agent, the caller or both. */
  lockedOut: boolean;
  /** What this failure locked (empty unless lockedOut). */
  lockedScopes: PinScope[];
  agentFailures: number;
  callerFailures: number;
}

/** The counter subject for a caller; exported so audit entries name the same thing. */
export function callerSubject(caller: string | undefined): string {
  return caller !== undefined && /^[A-Za-z0-9+_.-]{1,64}$/.test(caller) ? caller : 'anonymous';
}

function keysFor(store: Store, attempt: PinAttempt): [string, string] {
  // An agent id, or the keyed hash pin-check.ts puts in place of an ID that names no agent.
  if (!isHashedSubject(attempt.agentId)) validateAgentId(attempt.agentId);
  return [store.keys.pinFailures('agent', attempt.agentId), store.keys.pinFailures('caller', callerSubject(attempt.caller))];
}

function checkLimits(l: PinGuardLimits): void {
  for (const v of [l.maxFailures, l.lockoutSec, l.windowSec ?? l.lockoutSec]) {
    if (!Number.isInteger(v) || v < 1) throw new Error('PIN guard limits must be whole numbers of at least 1');
  }
}

/** Throws PinLockedOutError when the agent or the caller is locked out; call before asking for the PIN. */
export async function checkPinAllowed(store: Store, attempt: PinAttempt, limits: PinGuardLimits): Promise<void> {
  checkLimits(limits);
  const [agentKey, callerKey] = keysFor(store, attempt);
  const v = (await execTx('pin guard read', store.redis.multi().get(agentKey).ttl(agentKey).get(callerKey).ttl(callerKey))).map((x) => Number(x ?? 0));
  const locked: PinScope[] = [];
  let retryAfterSec = 0;
  ([['agent', 0], ['caller', 2]] as const).forEach(([scope, i]) => {
    if (v[i]! >= limits.maxFailures) {
      locked.push(scope);
      retryAfterSec = Math.max(retryAfterSec, v[i + 1]! > 0 ? v[i + 1]! : 1);
    }
  });
  if (locked.length) throw new PinLockedOutError(locked, retryAfterSec);
}

/** Counts one wrong PIN for the agent and the caller; says whether it caused a lock-out (audit it as 'pin-lockout'). */
export async function recordPinFailure(store: Store, attempt: PinAttempt, limits: PinGuardLimits): Promise<PinFailureResult> {
  checkLimits(limits);
  const [agentKey, callerKey] = keysFor(store, attempt);
  const [agentFailures, callerFailures] = (await runLua(store, 'count-pin-failure', [agentKey, callerKey],
    [limits.maxFailures, limits.windowSec ?? limits.lockoutSec, limits.lockoutSec])) as [number, number];
  const lockedScopes: PinScope[] = [];
  if (agentFailures === limits.maxFailures) lockedScopes.push('agent');
  if (callerFailures === limits.maxFailures) lockedScopes.push('caller');
  return { lockedOut: lockedScopes.length > 0, lockedScopes, agentFailures, callerFailures };
}

/** After a correct PIN (or by an admin): forgets the agent's wrong PINs and ends its lock-out. */
export async function clearPinFailures(store: Store, agentId: string): Promise<void> {
  validateAgentId(agentId);
  await storeOp('pin guard clear', () => store.redis.del(store.keys.pinFailures('agent', agentId)));
}

/** For an admin: forgets a caller's wrong PINs and ends its lock-out. */
export async function clearCallerPinFailures(store: Store, caller: string | undefined): Promise<void> {
  await storeOp('pin guard clear', () => store.redis.del(store.keys.pinFailures('caller', callerSubject(caller))));
}
