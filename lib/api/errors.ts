// Every error leaves the API as JSON `{ error: { code, message } }` with a
// status chosen from its stable code (AppError.code), so clients branch on
// the code and people read the message. Anything not foreseen is INTERNAL
// with a message that reveals nothing; the log has the details.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** Not found: the resource named in the path does not exist. */
export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

const STATUS: Record<string, number> = {
  BAD_PARAMS: 400,
  BAD_REQUEST: 400,
  BAD_JSON: 400,
  INVALID_NUMBER: 400,
  BAD_PIN_FORMAT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  NO_SUCH_QUEUE: 404,
  NOT_LISTED: 404,
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
  PBX_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  NOT_SYNCED: 503,
  TOO_MANY_STREAMS: 503,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 500;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

// Fastify's own request errors, by its codes.
const FASTIFY: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/** The code and message a failure is reported with. */
export function describe(err: unknown): { code: string; message: string } {
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
