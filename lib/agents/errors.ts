// Outcomes of agent accounts, PIN checks and phone bindings that callers
// branch on. Each carries a stable code (see lib/errors.ts); none carries a PIN.
import { AppError } from '../errors.ts';

/** A PIN is not 4 to 12 digits. The message never echoes what was keyed. */
export class BadPinFormatError extends AppError {
  constructor() {
    super('BAD_PIN_FORMAT', 'PIN must be 4 to 12 digits');
  }
}

/** No agent account with this id. */
export class AgentNotFoundError extends AppError {
  readonly agentId: string;
  constructor(agentId: string) {
    super('AGENT_NOT_FOUND', `agent ${agentId} does not exist`);
    this.agentId = agentId;
  }
}

/** An agent account with this id already exists; nothing was changed. */
export class AgentExistsError extends AppError {
  readonly agentId: string;
  constructor(agentId: string) {
    super('AGENT_EXISTS', `agent ${agentId} already exists`);
    this.agentId = agentId;
  }
}

/** Too many wrong PINs for this agent or from this caller; PIN entry is refused until the lock-out ends. */
export class PinLockedOutError extends AppError {
  /** Which counter is locked: the agent's, the caller's, or both. */
  readonly scopes: Array<'agent' | 'caller'>;
  /** Seconds until PIN entry is allowed again (the longer of the locked counters). */
  readonly retryAfterSec: number;
  constructor(scopes: Array<'agent' | 'caller'>, retryAfterSec: number) {
    super('PIN_LOCKED_OUT', `PIN entry locked for the ${scopes.join(' and ')} for ${retryAfterSec}s after too many wrong PINs`);
    this.scopes = scopes;
    this.retryAfterSec = retryAfterSec;
  }
}

/** The phone is bound to another agent; nothing was changed. */
export class PhoneTakenError extends AppError {
  readonly phone: string;
  /** The agent the phone is bound to. */
  readonly agentId: string;
  constructor(phone: string, agentId: string) {
    super('PHONE_TAKEN', `phone ${phone} is in use by agent ${agentId}`);
    this.phone = phone;
    this.agentId = agentId;
  }
}
