import { AppError } from './errors.ts';

// The one table from an outcome to what the dialplan reads and the caller hears.
// REFUSED: the request was understood and said no to (nothing changed).
// ERROR: something failed (nothing changed, or it was undone); try again later.

export interface Outcome {
  result: 'REFUSED' | 'ERROR';
  /** AGENTGATE_ERROR: the stable code. */
  code: string;
  /** The sound the caller hears. */
  prompt: string;
}

const REFUSALS: Record<string, string> = {
  INVALID_NUMBER: 'pbx-invalid',
  NOT_AUTHORIZED: 'pbx-invalid',
  RATE_LIMITED: 'pbx-invalid',
  BAD_PIN: 'agent-incorrect',
  BAD_PIN_FORMAT: 'agent-incorrect',
  PIN_LOCKED_OUT: 'agent-incorrect',
  AGENT_NOT_FOUND: 'agent-incorrect',
  PHONE_TAKEN: 'agent-alreadyon',
  NOT_LOGGED_IN: 'agent-loggedoff',
  NO_AGENT_ID: 'agent-incorrect',
  AGENT_NO_QUEUES: 'pbx-invalid',
};

export const ERROR_PROMPT = 'an-error-has-occurred';

export function outcomeFor(err: unknown): Outcome {
  if (err instanceof AppError) {
    const prompt = REFUSALS[err.code];
    if (prompt) return { result: 'REFUSED', code: err.code, prompt };
    return { result: 'ERROR', code: err.code, prompt: ERROR_PROMPT };
  }
  return { result: 'ERROR', code: 'INTERNAL', prompt: ERROR_PROMPT };
}
