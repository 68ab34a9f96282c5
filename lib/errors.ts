// Outcomes that callers branch on are typed errors with a stable code. The
// FastAGI router puts `code` in AGENTGATE_ERROR for the dialplan, the CLI
// prints it, and nothing anywhere branches on message text.

export class AppError extends Error {
  /** Stable, upper-case code: what the dialplan and API clients see. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
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
