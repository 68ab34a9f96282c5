// The admin HTTP API on fastify: bearer tokens and roles checked before any
// route runs, requests validated against JSON Schemas before any handler, every
// error as JSON with a stable code, one log line per request (never its token).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { allows, ForbiddenError, TokenTable } from './auth.ts';
import { allowOrigins } from './cors.ts';
import type { ApiDeps } from './context.ts';
import { errorBody, errorHandler } from './errors.ts';
import { OpenApiBuilder, type RouteDoc } from './openapi.ts';
import { agentRoutes } from './routes/agents.ts';
import { allowlistRoutes } from './routes/allowlists.ts';
import { auditRoutes } from './routes/audit.ts';
import { consoleRoutes } from './routes/console.ts';
import { eventRoutes } from './routes/events.ts';
import { numberRoutes } from './routes/numbers.ts';
import { queueRoutes } from './routes/queues.ts';
import { systemRoutes } from './routes/system.ts';
import { whoamiRoutes } from './routes/whoami.ts';

export type { ApiDeps } from './context.ts';

export interface ApiServer {
  readonly port: number;
  /** Ends the live streams, then stops listening once requests in flight are answered. */
  close(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Bodies are a few fields; anything bigger is a mistake or an attack. */
const BODY_LIMIT = 16 * 1024;

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const log = deps.log;
  const tokens = new TokenTable(deps.tokens);
  const openapi = new OpenApiBuilder();
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    // Extra properties are an error, not silently dropped; types are not
    // coerced ("5" is not a penalty). Query values stay strings (patterns say what they hold).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  app.decorateRequest('caller', null);
  app.addHook('onRoute', (route) => openapi.collect(route));

  allowOrigins(app, deps.corsOrigins ?? []);
  app.addHook('onRequest', async (req) => {
    // A path that matches no route still needs a token: what exists is not for strangers to map.
    const access = (req.routeOptions.config as { doc?: RouteDoc } | undefined)?.doc?.access ?? 'read';
    if (access === 'public') return;
    const caller = tokens.authenticate(req.headers.authorization);
    req.caller = caller;
    if (!allows(caller.role, access)) throw new ForbiddenError(`the token "${caller.name}" is read-only; this needs an admin token`);
  });

  // An action without a body is an action with no options.
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && (req.method === 'POST' || req.method === 'PUT')) req.body = {};
  });

  app.addHook('onResponse', async (req, reply) => {
    const ms = reply.elapsedTime;
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.apiRequest({ method: req.method, route, status: reply.statusCode, ms });
    const line = { method: req.method, route, url: req.url, status: reply.statusCode, ms: Math.round(ms), by: req.caller?.name };
    if (req.method === 'GET' || req.method === 'HEAD') log.debug(line, 'API request');
    else log.info(line, 'API request');
  });

  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?', 1)[0]}`));
  });

  numberRoutes(app, deps);
  agentRoutes(app, deps);
  queueRoutes(app, deps);
  allowlistRoutes(app, deps);
  auditRoutes(app, deps);
  eventRoutes(app, deps);
  systemRoutes(app, deps, openapi, VERSION);
  whoamiRoutes(app, deps);
  consoleRoutes(app);
  await app.ready();
  return app;
}

// Silent or slow clients must not hold connections (and file descriptors the
// FastAGI port needs) for ever: a request's headers within 10 s, the whole
// request within 30 s, an idle keep-alive connection closed after 5 s, any
// socket with no traffic either way for 60 s closed (a live stream writes a
// heartbeat every 15 s; one whose client stopped reading stops moving), and
// past maxConnections new connections are closed at once.
function limitConnections(server: import('node:http').Server, maxConnections: number): void {
  server.maxConnections = maxConnections;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.timeout = 60_000;
}

export async function startApi(deps: ApiDeps, where: { host: string; port: number }): Promise<ApiServer> {
  const app = await buildApi(deps);
  limitConnections(app.server, deps.maxConnections ?? 600);
  await app.listen({ host: where.host, port: where.port });
  const port = (app.server.address() as AddressInfo).port;
  deps.log.info({ host: where.host, port, tokens: deps.tokens.map((t) => `${t.name}:${t.role}`) }, 'admin API listening');
  return {
    port,
    async close() {
      deps.streams.closeAll();
      await app.close();
    },
  };
}
