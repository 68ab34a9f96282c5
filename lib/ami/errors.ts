// Every way an AMI action can fail, as a typed error with a stable code.
// Asterisk's replies are mapped by their exact text (apps/app_queue.c,
// main/manager.c, as recorded in shared/asterisk/ami-actions.log) in one place,
// errorFromResponse; callers branch with instanceof, never on message text.
import { AppError, type ErrorCode } from '../errors.ts';
import type { LibraryError } from './manager.ts';
import type { AmiResponse } from './parser.ts';

interface AmiErrorDetails {
  /** The AMI action that failed (QueueAdd, DBGet ...), when known. */
  action?: string;
  /** Asterisk's reply, when there was one. */
  response?: AmiResponse;
  cause?: unknown;
}

/** Base of every AMI failure. */
export class AmiError extends AppError {
  readonly action: string | undefined;
  readonly response: AmiResponse | undefined;
  constructor(code: ErrorCode, message: string, details: AmiErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.action = details.action;
    this.response = details.response;
  }
}

/** QueueAdd: the interface is already a member of the queue. */
export class AmiAlreadyThereError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_ALREADY_THERE', message, details);
  }
}

/** QueueRemove: the interface is not a member of the queue. */
export class AmiNotThereError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_NOT_THERE', message, details);
  }
}

/** QueueAdd/QueueRemove: the queue does not exist. */
export class AmiNoSuchQueueError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_NO_SUCH_QUEUE', message, details);
  }
}

/** QueuePause: the interface is in no queue (or not in the one named). */
export class AmiInterfaceNotFoundError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_INTERFACE_NOT_FOUND', message, details);
  }
}

/** QueueRemove: the member comes from queues.conf (static) and cannot be removed over AMI. */
export class AmiMemberNotDynamicError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_MEMBER_NOT_DYNAMIC', message, details);
  }
}

/** The AMI user lacks the write permission for the action (or is not logged in). */
export class AmiPermissionDeniedError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_PERMISSION_DENIED', message, details);
  }
}

/** Asterisk refused the AMI username/secret. No reconnect is attempted. */
export class AmiAuthError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_AUTH_FAILED', message, details);
  }
}

/** DBGet: no such astdb entry (DbGet turns this into undefined). */
export class AmiDbEntryNotFoundError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_DB_NOT_FOUND', message, details);
  }
}

/** DBDel: the entry could not be deleted, as Asterisk says when it does not exist (dbDel turns this into false). */
export class AmiDbDeleteFailedError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_DB_NOT_DELETED', message, details);
  }
}

/** No reply within the action timeout. The action may or may not have been done. */
export class AmiTimeoutError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_TIMEOUT', message, details);
  }
}

/** Not connected, or the connection dropped before the reply. The action may or may not have been done. */
export class AmiDisconnectedError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_DISCONNECTED', message, details);
  }
}

/** A header name or value would break the AMI framing (CR, LF, NUL, line over 1024 bytes); nothing was sent. */
export class AmiUnsafeHeaderError extends AmiError {
  /** The offending header's name (never its value, which may be a secret). */
  readonly header: string | undefined;
  constructor(message: string, header?: string, details?: AmiErrorDetails) {
    super('AMI_UNSAFE_HEADER', message, details);
    this.header = header;
  }
}

/** Any other `Response: Error`; `message` is Asterisk's text. */
export class AmiActionError extends AmiError {
  constructor(message: string, details?: AmiErrorDetails) {
    super('AMI_ACTION_FAILED', message, details);
  }
}

type ErrorClass = new (message: string, details?: AmiErrorDetails) => AmiError;

// Asterisk's exact texts. Both "No such queue" forms are app_queue's (QueueAdd
// and QueueRemove word them differently).
const BY_MESSAGE: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ['Unable to add interface: Already there', AmiAlreadyThereError],
  ['Unable to remove interface: Not there', AmiNotThereError],
  ['Unable to add interface to queue: No such queue', AmiNoSuchQueueError],
  ['Unable to remove interface from queue: No such queue', AmiNoSuchQueueError],
  ['Interface not found', AmiInterfaceNotFoundError],
  // QueueMemberRingInUse for a member the queue does not have (app_queue's one text for it).
  ['Invalid interface, queuename, or ringinuse value', AmiInterfaceNotFoundError],
  ['Member not dynamic', AmiMemberNotDynamicError],
  ['Permission denied', AmiPermissionDeniedError],
  ['Authentication failed', AmiAuthError],
  ['Database entry not found', AmiDbEntryNotFoundError],
  ['Database entry could not be deleted', AmiDbDeleteFailedError],
]);

/** The one place a `Response: Error` becomes a typed error. */
export function errorFromResponse(response: AmiResponse, action?: string): AmiError {
  const text = response.message.trim();
  const Class = BY_MESSAGE.get(text) ?? AmiActionError;
  const message = text === '' ? `${action ?? 'AMI action'} failed without a message` : text;
  return new Class(message, { action, response });
}

/** Failures the library detects itself (timeouts, drops, unsafe headers). */
export function errorFromLibrary(err: LibraryError, action?: string): AmiError {
  const details = { action, cause: err };
  switch (err.code) {
    case 'AMI_TIMEOUT':
      return new AmiTimeoutError(err.message, details);
    case 'AMI_DISCONNECTED':
      return new AmiDisconnectedError(err.message, details);
    case 'AMI_UNSAFE_HEADER':
      return new AmiUnsafeHeaderError(err.message, undefined, details);
    case 'AMI_AUTH':
      return new AmiAuthError(err.message, details);
    default:
      return new AmiActionError(err.message, details);
  }
}
