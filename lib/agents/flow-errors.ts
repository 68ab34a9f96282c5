// Outcomes of the agent flows (login, logout, pause) that the dialplan
// branches on; lib/outcomes.ts maps each code to REFUSED and a prompt.
import { AppError } from '../errors.ts';

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
