// Outcomes that callers branch on are typed errors with a stable code. Every
// code is listed once, in ErrorCode; each edge that speaks to someone has its
// own table keyed by it (`satisfies Record<ErrorCode, …>`), so a new code does
// not compile until the dialplan words (lib/scripts/outcome.ts) and the HTTP
// status (lib/api/errors.ts) say what it means. Nothing branches on message text.

export type ErrorCode =
  // A request the service understood and said no to, or could not read.
  | 'BAD_PARAMS'
  | 'INVALID_NUMBER'
  | 'NOT_AUTHORIZED'
  | 'RATE_LIMITED'
  | 'NO_SUCH_QUEUE'
  // Agent accounts, PINs and bindings.
  | 'BAD_PIN'
  | 'BAD_PIN_FORMAT'
  | 'PIN_LOCKED_OUT'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_EXISTS'
  | 'AGENT_NO_QUEUES'
  | 'PHONE_TAKEN'
  | 'NOT_LOGGED_IN'
  | 'NO_AGENT_ID'
  // Something failed; nothing was changed, or it was undone.
  | 'BUSY'
  | 'STORE_UNAVAILABLE'
  | 'PBX_UNAVAILABLE'
  | 'UNKNOWN_SCRIPT'
  | 'INTERNAL'
  // The admin API's own.
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'NOT_LISTED'
  | 'METHOD_NOT_ALLOWED'
  | 'BAD_REQUEST'
  | 'BAD_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_SYNCED'
  | 'TOO_MANY_STREAMS'
  // The AGI socket (lib/agi/errors.ts).
  | 'AGI_CLOSED'
  | 'AGI_DEAD_CHANNEL'
  | 'AGI_HANGUP'
  | 'AGI_INVALID_COMMAND'
  | 'AGI_PROTOCOL'
  | 'AGI_TIMEOUT'
  | 'AGI_UNSAFE_VALUE'
  | 'AGI_USAGE'
  // AMI actions (lib/ami/errors.ts); the domain turns the ones it expects into the codes above.
  | 'AMI_ACTION_FAILED'
  | 'AMI_ALREADY_THERE'
  | 'AMI_AUTH_FAILED'
  | 'AMI_DB_NOT_DELETED'
  | 'AMI_DB_NOT_FOUND'
  | 'AMI_DISCONNECTED'
  | 'AMI_INTERFACE_NOT_FOUND'
  | 'AMI_MEMBER_NOT_DYNAMIC'
  | 'AMI_NOT_THERE'
  | 'AMI_NO_SUCH_QUEUE'
  | 'AMI_PERMISSION_DENIED'
  | 'AMI_TIMEOUT'
  | 'AMI_UNSAFE_HEADER';

/**
 * refused: understood and said no to (policy, credentials, state); nothing changed.
 * error: something failed, or the request could not be carried out as written.
 * What the dialplan reads (REFUSED/ERROR), what the logs and metrics count.
 */
export type ErrorKind = 'refused' | 'error';

export const ERROR_KIND = {
  BAD_PARAMS: 'error', // a dialplan or client written wrong: the admin must see it
  INVALID_NUMBER: 'refused',
  NOT_AUTHORIZED: 'refused',
  RATE_LIMITED: 'refused',
  NO_SUCH_QUEUE: 'error',
  BAD_PIN: 'refused',
  BAD_PIN_FORMAT: 'refused',
  PIN_LOCKED_OUT: 'refused',
  AGENT_NOT_FOUND: 'refused',
  AGENT_EXISTS: 'refused',
  AGENT_NO_QUEUES: 'refused',
  PHONE_TAKEN: 'refused',
  NOT_LOGGED_IN: 'refused',
  NO_AGENT_ID: 'refused',
  BUSY: 'error',
  STORE_UNAVAILABLE: 'error',
  PBX_UNAVAILABLE: 'error',
  UNKNOWN_SCRIPT: 'error',
  INTERNAL: 'error',
  UNAUTHENTICATED: 'refused',
  FORBIDDEN: 'refused',
  NOT_FOUND: 'refused',
  NOT_LISTED: 'refused',
  METHOD_NOT_ALLOWED: 'error',
  BAD_REQUEST: 'error',
  BAD_JSON: 'error',
  BODY_TOO_LARGE: 'error',
  UNSUPPORTED_MEDIA_TYPE: 'error',
  NOT_SYNCED: 'error',
  TOO_MANY_STREAMS: 'error',
  AGI_CLOSED: 'error',
  AGI_DEAD_CHANNEL: 'error',
  AGI_HANGUP: 'error',
  AGI_INVALID_COMMAND: 'error',
  AGI_PROTOCOL: 'error',
  AGI_TIMEOUT: 'error',
  AGI_UNSAFE_VALUE: 'error',
  AGI_USAGE: 'error',
  AMI_ACTION_FAILED: 'error',
  AMI_ALREADY_THERE: 'error',
  AMI_AUTH_FAILED: 'error',
  AMI_DB_NOT_DELETED: 'error',
  AMI_DB_NOT_FOUND: 'error',
  AMI_DISCONNECTED: 'error',
  AMI_INTERFACE_NOT_FOUND: 'error',
  AMI_MEMBER_NOT_DYNAMIC: 'error',
  AMI_NOT_THERE: 'error',
  AMI_NO_SUCH_QUEUE: 'error',
  AMI_PERMISSION_DENIED: 'error',
  AMI_TIMEOUT: 'error',
  AMI_UNSAFE_HEADER: 'error',
} as const satisfies Record<ErrorCode, ErrorKind>;

export class AppError extends Error {
  /** Stable, upper-case code: what the dialplan and API clients see. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The code a failure is reported with: its own, or INTERNAL for anything not foreseen. */
export function errorCodeOf(err: unknown): ErrorCode {
  return err instanceof AppError ? err.code : 'INTERNAL';
}

/** A request parameter is missing or malformed; nothing was changed. */
export class BadParamsError extends AppError {
  constructor(message: string) {
    super('BAD_PARAMS', message);
  }
}

/** The caller's number is not a phone number (anonymous, letters, CR/LF ...). */
export class InvalidNumberError extends AppError {
  constructor(message: string) {
    super('INVALID_NUMBER', message);
  }
}

/** The number is not authorized for the queue. */
export class NotAuthorizedError extends AppError {
  constructor(message: string) {
    super('NOT_AUTHORIZED', message);
  }
}

/** Too many attempts in the window; try later. */
export class RateLimitedError extends AppError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}

/** The queue does not exist in Asterisk; nothing was changed. */
export class NoSuchQueueError extends AppError {
  constructor(queue: string) {
    super('NO_SUCH_QUEUE', `Asterisk has no queue ${queue}`);
  }
}

/** Another change for the same subject is in progress and did not finish in time. */
export class BusyError extends AppError {
  constructor(message: string) {
    super('BUSY', message);
  }
}

/** Redis did not answer; decisions fail closed. */
export class StoreUnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/** Asterisk (AMI) did not answer or refused in a way we cannot treat as done. */
export class PbxUnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PBX_UNAVAILABLE', message, options);
  }
}
