// Collecting an agent ID and PIN from the keypad: the dialogue only. Whether
// they are right, and the lock-outs, are lib/agents/pin-check.ts.
import type { AgiChannel } from '../agi/channel.ts';
import type { AgentAccount } from '../agents/accounts.ts';
import type { AgentDeps } from '../agents/deps.ts';
import { BadPinError, NoAgentIdError } from '../agents/errors.ts';
import { assertPinEntryAllowed, checkAgentPin } from '../agents/pin-check.ts';
import type { Origin } from '../store/audit.ts';

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
  for (let attempt = 1; attempt <= opts.tries; attempt++) {
    if (attempt > 1) await ch.streamFile('agent-incorrect');
    const id = req.agentId ?? (await askAgentId(ch, opts.timeoutMs));
    if (id === undefined) continue;
    const who = { agentId: id, caller: req.caller, origin: req.origin };
    await assertPinEntryAllowed(deps, who);
    const { digits } = await ch.getData('agent-pass', opts.timeoutMs, PIN_DIGITS);
    // Nothing keyed is not a guess: it costs a try, not a strike.
    if (digits === '') continue;
    const account = await checkAgentPin(deps, who, digits);
    if (account) return account;
  }
  throw new BadPinError();
}
