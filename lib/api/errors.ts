// Every error leaves the API as JSON `{ error: { code, message } }` with a
// status chosen from its stable code (AppError.code), so clients branch on
// the code and people read the message. Anything not foreseen is INTERNAL
// with a message that reveals nothing; the log has the details.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Not found: the resource named in the path does not exist. */
export class NotFoundError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

// Every code has a status; a new ErrorCode does not compile until it has one.
const STATUS = {
  BAD_PARAMS: 400,
  BAD_REQUEST: 400,
  BAD_JSON: 400,
  INVALID_NUMBER: 400,
  BAD_PIN_FORMAT: 400,
  UNAUTHENTICATED: 401,
  BAD_PIN: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  NO_SUCH_QUEUE: 404,
  NOT_LISTED: 404,
  NO_AGENT_ID: 400,
  METHOD_NOT_ALLOWED: 405,
  // Valid requests the current state refuses.
  NOT_AUTHORIZED: 409,
  PHONE_TAKEN: 409,
  NOT_LOGGED_IN: 409,
  AGENT_NO_QUEUES: 409,
  AGENT_EXISTS: 409,
  BUSY: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  PIN_LOCKED_OUT: 429,
  INTERNAL: 500,
  UNKNOWN_SCRIPT: 500,
  PBX_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  NOT_SYNCED: 503,
  TOO_MANY_STREAMS: 503,
  // The protocol layers' own codes reach the API only through a bug: the
  // domain turns the AMI replies it expects into the codes above.
  AGI_CLOSED: 500,
  AGI_DEAD_CHANNEL: 500,
  AGI_HANGUP: 500,
  AGI_INVALID_COMMAND: 500,
  AGI_PROTOCOL: 500,
  AGI_TIMEOUT: 500,
  AGI_UNSAFE_VALUE: 500,
  AGI_USAGE: 500,
  AMI_ACTION_FAILED: 502,
  AMI_ALREADY_THERE: 502,
  AMI_AUTH_FAILED: 503,
  AMI_DB_NOT_DELETED: 502,
  AMI_DB_NOT_FOUND: 502,
  AMI_DISCONNECTED: 503,
  AMI_INTERFACE_NOT_FOUND: 502,
  AMI_MEMBER_NOT_DYNAMIC: 502,
  AMI_NOT_THERE: 502,
  AMI_NO_SUCH_QUEUE: 502,
  AMI_PERMISSION_DENIED: 502,
  AMI_TIMEOUT: 503,
  AMI_UNSAFE_HEADER: 500,
} as const satisfies Record<ErrorCode, number>;

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

// Fastify's own request errors, by its codes.
const FASTIFY: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/** The code and message a failure is reported with. */
export function describe(err: unknown): { code: ErrorCode; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  const fe = err as Partial<FastifyError> & { message?: string };
  if (fe.validation) return { code: 'BAD_PARAMS', message: fe.message ?? 'invalid request' };
  if (fe.code && FASTIFY[fe.code]) return { code: FASTIFY[fe.code]!, message: fe.message ?? 'bad request' };
  // JSON.parse failures and other client errors fastify marks with a 4xx.
  if (err instanceof SyntaxError || (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return { code: err instanceof SyntaxError ? 'BAD_JSON' : 'BAD_REQUEST', message: fe.message ?? 'bad request' };
  }
  return { code: 'INTERNAL', message: 'internal error; the service log has the details' };
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): void => {
    const { code, message } = describe(err);
    const status = statusOf(code);
    if (code === 'INTERNAL') log.error({ err, method: req.method, url: req.url }, 'API request failed');
    else if (status >= 500) log.warn({ code, reason: message, method: req.method, url: req.url }, 'API request not served');
    if (code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer realm="agentgate"');
    void reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  };
}
