// Collecting an agent ID and PIN from the keypad. A wrong ID and a wrong PIN
// go the same way (verifyAgentPin answers null for both, at the same cost, and
// both count against the ID and the caller), so the caller learns nothing
// about which ids exist. The PIN is never logged or audited.
import type { AgiChannel } from '../agi/channel.ts';
import type { Origin } from '../queues/membership.ts';
import { appendAudit, type AuditEntry } from '../store/audit.ts';
import { verifyAgentPin, type AgentAccount } from './accounts.ts';
import type { AgentDeps } from './deps.ts';
import { PinLockedOutError } from './errors.ts';
import { BadPinError, NoAgentIdError } from './flow-errors.ts';
import { checkPinAllowed, clearPinFailures, recordPinFailure } from './pin-guard.ts';

export interface PinEntryOptions {
  /** IDs and PINs keyed per call before giving up. */
  tries: number;
  /** How long GET DATA waits for digits after its prompt. */
  timeoutMs: number;
}

export const DEFAULT_PIN_ENTRY: PinEntryOptions = { tries: 3, timeoutMs: 6000 };

const ID_DIGITS = 20;
const PIN_DIGITS = 12;

/** `agent-user`: the agent ID keyed, or undefined when nothing usable was keyed. */
export async function askAgentId(ch: AgiChannel, timeoutMs: number): Promise<string | undefined> {
  const { digits } = await ch.getData('agent-user', timeoutMs, ID_DIGITS);
  return /^\d{1,20}$/.test(digits) ? digits : undefined;
}

/** `agent-user` up to `tries` times (`agent-incorrect` between); NoAgentIdError when nothing usable was keyed. */
export async function askAgentIdRepeatedly(ch: AgiChannel, opts: PinEntryOptions = DEFAULT_PIN_ENTRY): Promise<string> {
  for (let attempt = 1; attempt <= opts.tries; attempt++) {
    if (attempt > 1) await ch.streamFile('agent-incorrect');
    const id = await askAgentId(ch, opts.timeoutMs);
    if (id !== undefined) return id;
  }
  throw new NoAgentIdError();
}

/**
 * Asks for the ID (unless `agentId` is known) and the PIN, up to `tries`
 * times with `agent-incorrect` between, and returns the account. Throws
 * PinLockedOutError when the agent or the caller is locked out (before the PIN
 * is asked, or by this failure), BadPinError when the tries run out.
 */
export async function askCredentials(
  ch: AgiChannel,
  deps: AgentDeps,
  req: { agentId?: string; caller: string; origin: Origin },
  opts: PinEntryOptions = DEFAULT_PIN_ENTRY,
): Promise<AgentAccount> {
  const { store, log, pinLimits } = deps;
  const audit = (subject: string, action: string, result: string, detail?: string): AuditEntry => ({
    action, subject, result, detail, source: req.origin.source, by: req.origin.by, channel: req.origin.channel, uniqueid: req.origin.uniqueid,
  });
  for (let attempt = 1; attempt <= opts.tries; attempt++) {
    if (attempt > 1) await ch.streamFile('agent-incorrect');
    const id = req.agentId ?? (await askAgentId(ch, opts.timeoutMs));
    if (id === undefined) continue;
    const who = { agentId: id, caller: req.caller };
    try {
      await checkPinAllowed(store, who, pinLimits);
    } catch (err) {
      if (err instanceof PinLockedOutError) await appendAudit(store, audit(id, 'pin', 'LOCKED_OUT', `still locked for ${err.retryAfterSec}s (${err.scopes.join(',')})`));
      throw err;
    }
    const { digits } = await ch.getData('agent-pass', opts.timeoutMs, PIN_DIGITS);
    // Nothing keyed is not a guess: it costs a try, not a strike.
    if (digits === '') continue;
    const account = await verifyAgentPin(store, id, digits, deps.accounts);
    if (account) {
      await clearPinFailures(store, id);
      return account;
    }
    const failure = await recordPinFailure(store, who, pinLimits);
    log.info({ agent: id, caller: req.caller, agentFailures: failure.agentFailures, callerFailures: failure.callerFailures }, 'agent ID or PIN not accepted');
    await appendAudit(store, audit(id, 'pin', 'REFUSED', 'BAD_PIN'));
    if (failure.lockedOut) {
      log.warn({ agent: id, caller: req.caller, scopes: failure.lockedScopes }, 'PIN entry locked out');
      await appendAudit(store, audit(id, 'pin-lockout', 'LOCKED_OUT', `${failure.lockedScopes.join(',')} locked for ${pinLimits.lockoutSec}s`));
      throw new PinLockedOutError(failure.lockedScopes, pinLimits.lockoutSec);
    }
  }
  throw new BadPinError();
}
