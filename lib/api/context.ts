// What every route file is given, and the small helpers they share.
import type { FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Health } from '../health.ts';
import type { LiveFeed } from '../live/feed.ts';
import type { SseStreams } from '../live/sse.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Origin } from '../store/audit.ts';
import type { Services } from '../services.ts';
import type { Caller } from './auth.ts';

export interface ApiDeps {
  svc: Services;
  feed: LiveFeed;
  streams: SseStreams;
  metrics: Metrics;
  tokens: readonly ApiToken[];
  /** GET /metrics without a token. */
  metricsPublic: boolean;
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins?: readonly string[];
  /** Connections the listener holds at once (API_MAX_CONNECTIONS); default 600. */
  maxConnections?: number;
  /** /readyz: the service's readiness; absent, /readyz answers from the AMI link and the live model alone. */
  health?: () => Promise<Health>;
  log: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that needs a token. */
    caller: Caller | null;
  }
}

/** The audit trail's origin of a change made through the API: the token's name. */
export function origin(req: FastifyRequest): Origin {
  return { source: 'api', by: req.caller?.name ?? 'api' };
}

/** The service logger for one request: every line says which token acted. */
export function reqLog(deps: { log: Logger }, req: FastifyRequest): Logger {
  return deps.log.child({ reqId: req.id, by: req.caller?.name });
}

/** The live model is a copy of Asterisk's state; while it is not in step, answering from it would be guessing. */
export function requireSynced(feed: LiveFeed): void {
  if (!feed.synced) {
    throw new AppError('NOT_SYNCED', feed.connected
      ? 'the live model is being rebuilt from Asterisk; try again in a moment'
      : 'Asterisk is not connected over AMI; the live state is unknown');
  }
}
