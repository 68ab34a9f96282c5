// Bearer tokens and two roles. A read token sees everything; only an admin
// token changes anything. Tokens are compared by their SHA-256, so the lookup
// takes the same time whatever prefix of a real token a guess shares, and the
// token text itself is kept nowhere but here.
import { createHash } from 'node:crypto';
import type { ApiRole, ApiToken } from '../config.ts';
import { AppError } from '../errors.ts';

export interface Caller {
  /** The token's name: logs and the audit trail's `by`. */
  name: string;
  role: ApiRole;
}

/** What a route asks of its caller; `public` is for health checks only. */
export type Access = ApiRole | 'public';

/** No token, or one that is not ours. */
export class UnauthenticatedError extends AppError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

/** A valid token whose role does not allow this. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenTable {
  readonly #byDigest: Map<string, Caller>;

  constructor(tokens: readonly ApiToken[]) {
    this.#byDigest = new Map(tokens.map((t) => [digest(t.token), { name: t.name, role: t.role }]));
  }

  /** The caller named by an Authorization header; UnauthenticatedError when there is none or it is unknown. */
  authenticate(header: string | undefined): Caller {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    if (!m) throw new UnauthenticatedError('a bearer token is required (Authorization: Bearer <token>)');
    const caller = this.#byDigest.get(digest(m[1]!));
    if (!caller) throw new UnauthenticatedError('the bearer token is not valid');
    return caller;
  }
}

/** Whether a caller with `role` may use a route that asks for `access`. */
export function allows(role: ApiRole, access: Access): boolean {
  return access === 'public' || access === 'read' || role === 'admin';
}
