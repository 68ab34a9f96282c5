// What a script's outcome is, for the dialplan, the caller, the session's log
// line and the metrics. REFUSED: understood and said no to, nothing changed.
// ERROR: something failed (nothing changed, or it was undone); try again later.
import type { ScriptResult } from '../agi/router.ts';
import { ERROR_KIND, errorCodeOf, type ErrorCode } from '../errors.ts';

export type { ScriptResult };

export const OK: ScriptResult = { result: 'ok' };

export const ERROR_PROMPT = 'an-error-has-occurred';

// The sound for each code. Refusals say what the caller can act on; every
// failure says only that an error occurred (the code is in AGENTGATE_ERROR
// and the log for the admin).
const PROMPT = {
  INVALID_NUMBER: 'pbx-invalid',
  NOT_AUTHORIZED: 'pbx-invalid',
  RATE_LIMITED: 'pbx-invalid',
  AGENT_NO_QUEUES: 'pbx-invalid',
  BAD_PIN: 'agent-incorrect',
  BAD_PIN_FORMAT: 'agent-incorrect',
  PIN_LOCKED_OUT: 'agent-incorrect',
  AGENT_NOT_FOUND: 'agent-incorrect',
  NO_AGENT_ID: 'agent-incorrect',
  PHONE_TAKEN: 'agent-alreadyon',
  NOT_LOGGED_IN: 'agent-loggedoff',
  BAD_PARAMS: ERROR_PROMPT,
  NO_SUCH_QUEUE: ERROR_PROMPT,
  AGENT_EXISTS: 'pbx-invalid',
  BUSY: ERROR_PROMPT,
  STORE_UNAVAILABLE: ERROR_PROMPT,
  PBX_UNAVAILABLE: ERROR_PROMPT,
  UNKNOWN_SCRIPT: ERROR_PROMPT,
  INTERNAL: ERROR_PROMPT,
  UNAUTHENTICATED: ERROR_PROMPT,
  FORBIDDEN: ERROR_PROMPT,
  NOT_FOUND: ERROR_PROMPT,
  NOT_LISTED: ERROR_PROMPT,
  METHOD_NOT_ALLOWED: ERROR_PROMPT,
  BAD_REQUEST: ERROR_PROMPT,
  BAD_JSON: ERROR_PROMPT,
  BODY_TOO_LARGE: ERROR_PROMPT,
  UNSUPPORTED_MEDIA_TYPE: ERROR_PROMPT,
  NOT_SYNCED: ERROR_PROMPT,
  TOO_MANY_STREAMS: ERROR_PROMPT,
  AGI_CLOSED: ERROR_PROMPT,
  AGI_DEAD_CHANNEL: ERROR_PROMPT,
  AGI_HANGUP: ERROR_PROMPT,
  AGI_INVALID_COMMAND: ERROR_PROMPT,
  AGI_PROTOCOL: ERROR_PROMPT,
  AGI_TIMEOUT: ERROR_PROMPT,
  AGI_UNSAFE_VALUE: ERROR_PROMPT,
  AGI_USAGE: ERROR_PROMPT,
  AMI_ACTION_FAILED: ERROR_PROMPT,
  AMI_ALREADY_THERE: ERROR_PROMPT,
  AMI_AUTH_FAILED: ERROR_PROMPT,
  AMI_DB_NOT_DELETED: ERROR_PROMPT,
  AMI_DB_NOT_FOUND: ERROR_PROMPT,
  AMI_DISCONNECTED: ERROR_PROMPT,
  AMI_INTERFACE_NOT_FOUND: ERROR_PROMPT,
  AMI_MEMBER_NOT_DYNAMIC: ERROR_PROMPT,
  AMI_NOT_THERE: ERROR_PROMPT,
  AMI_NO_SUCH_QUEUE: ERROR_PROMPT,
  AMI_PERMISSION_DENIED: ERROR_PROMPT,
  AMI_TIMEOUT: ERROR_PROMPT,
  AMI_UNSAFE_HEADER: ERROR_PROMPT,
} as const satisfies Record<ErrorCode, string>;

export interface Failure {
  /** AGENTGATE_RESULT. */
  word: 'REFUSED' | 'ERROR';
  /** AGENTGATE_ERROR. */
  code: ErrorCode;
  /** The sound the caller hears. */
  prompt: string;
  result: ScriptResult;
}

export function failureOf(err: unknown): Failure {
  const code = errorCodeOf(err);
  const kind = ERROR_KIND[code];
  return { word: kind === 'refused' ? 'REFUSED' : 'ERROR', code, prompt: PROMPT[code], result: { result: kind, code } };
}
