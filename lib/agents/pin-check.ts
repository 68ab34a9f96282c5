// Whether a keyed agent ID and PIN let the caller in. A wrong ID and a wrong
// PIN go the same way (verifyAgentPin answers null for both, at the same cost,
// and both count against the ID and the caller), so the caller learns nothing
// about which ids exist. The PIN is never logged or audited, and neither is a
// keyed ID that names no agent (it may be a PIN keyed at the wrong prompt): logs,
// the audit trail and the wrong-PIN counter's key carry its keyed hash
// (keyed-id.ts), and it is not looked up as a key.
import { appendAudit, auditBy, type Origin } from '../store/audit.ts';
import { verifyAgentPin, verifyPinOfNoAgent, type AgentAccount } from './accounts.ts';
import type { AgentDeps } from './deps.ts';
import { PinLockedOutError } from './errors.ts';
import { isHashedSubject, keyedIdSubject } from './keyed-id.ts';
import { checkPinAllowed, clearPinFailures, recordPinFailure, type PinAttempt } from './pin-guard.ts';

/** An ID and caller (pin-guard's counters), and who acted, for the audit. */
export interface KeyedAttempt extends PinAttempt {
  origin: Origin;
}

/** Throws PinLockedOutError (audited) when the agent or the caller is locked out; ask for the PIN only after this. */
export async function assertPinEntryAllowed(deps: AgentDeps, a: KeyedAttempt): Promise<void> {
  const subject = await keyedIdSubject(deps.store, a.agentId);
  try {
    await checkPinAllowed(deps.store, { ...a, agentId: subject }, deps.pinLimits);
  } catch (err) {
    if (err instanceof PinLockedOutError) {
      await appendAudit(deps.store, auditBy(a.origin, subject, 'pin', 'LOCKED_OUT', { detail: `still locked for ${err.retryAfterSec}s (${err.scopes.join(',')})` }));
    }
    throw err;
  }
}

/**
 * The account when the PIN is right (failures cleared); null when the ID or
 * the PIN is wrong (counted and audited). Throws PinLockedOutError when this
 * failure locks the agent or the caller out.
 */
export async function checkAgentPin(deps: AgentDeps, a: KeyedAttempt, pin: string): Promise<AgentAccount | null> {
  const { store, log, pinLimits } = deps;
  const subject = await keyedIdSubject(store, a.agentId);
  const account = isHashedSubject(subject) ? await verifyPinOfNoAgent(pin, deps.accounts) : await verifyAgentPin(store, subject, pin, deps.accounts);
  if (account) {
    await clearPinFailures(store, subject);
    return account;
  }
  const failure = await recordPinFailure(store, { ...a, agentId: subject }, pinLimits);
  log.info({ agent: subject, caller: a.caller, agentFailures: failure.agentFailures, callerFailures: failure.callerFailures }, 'agent ID or PIN not accepted');
  await appendAudit(store, auditBy(a.origin, subject, 'pin', 'REFUSED', { detail: 'BAD_PIN' }));
  if (failure.lockedOut) {
    log.warn({ agent: subject, caller: a.caller, scopes: failure.lockedScopes }, 'PIN entry locked out');
    await appendAudit(store, auditBy(a.origin, subject, 'pin-lockout', 'LOCKED_OUT', { detail: `${failure.lockedScopes.join(',')} locked for ${pinLimits.lockoutSec}s` }));
    throw new PinLockedOutError(failure.lockedScopes, pinLimits.lockoutSec);
  }
  return null;
}
