// Outcomes of agent accounts, PIN checks, phone bindings and the agent flows
// (login, logout, pause) that callers branch on. Each carries a stable code
// (lib/errors.ts); none carries a PIN.
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

/**
 * The caller ran out of tries at the ID and PIN. Deliberately one error for a
 * wrong ID and a wrong PIN: the caller must not learn which ids exist.
 */
export class BadPinError extends AppError {
  constructor() {
    super('BAD_PIN', 'agent ID or PIN not accepted');
  }
}

/** The agent is not logged in (or Asterisk has none of its members in the queue asked for). */
export class NotLoggedInError extends AppError {
  readonly agentId: string;
  constructor(agentId: string, message = `agent ${agentId} is not logged in`) {
    super('NOT_LOGGED_IN', message);
    this.agentId = agentId;
  }
}

/** The account lists no queues, so a login would bind the phone and ring nobody. */
export class AgentNoQueuesError extends AppError {
  readonly agentId: string;
  constructor(agentId: string) {
    super('AGENT_NO_QUEUES', `agent ${agentId} belongs to no queue`);
    this.agentId = agentId;
  }
}

/** Nothing usable was keyed for the agent ID (force logout from an admin menu). */
export class NoAgentIdError extends AppError {
  constructor() {
    super('NO_AGENT_ID', 'no agent ID was keyed');
  }
}
