// The OpenAPI 3.1 document, built from the routes as registered: their
// paths, methods, JSON Schemas (the ones fastify validates and serialises
// with) and roles. Nothing is written twice, so the document says what the
// service does.
import type { RouteOptions } from 'fastify';
import type { Access } from './auth.ts';
import * as s from './schemas.ts';

/** What a route adds to its fastify `config` for the document and the auth hook. */
export interface RouteDoc {
  access: Access;
  summary: string;
  description?: string;
  tag: string;
  /** Responses that are not JSON (the event stream, the metrics text), as OpenAPI response objects. */
  rawResponses?: Record<string, unknown>;
  /** Not part of the API (the console's static files): left out of the document. */
  hidden?: boolean;
}

interface Collected {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  doc: RouteDoc;
}

type Schema = Record<string, unknown>;

const ERROR_TEXT: Record<string, string> = {
  '400': 'Malformed request (BAD_PARAMS, BAD_JSON, INVALID_NUMBER); nothing was changed',
  '401': 'No bearer token, or not a valid one (UNAUTHENTICATED)',
  '403': 'The token is read-only (FORBIDDEN)',
  '404': 'No such resource',
  '409': 'Refused in the current state (NOT_AUTHORIZED, PHONE_TAKEN, NOT_LOGGED_IN, AGENT_NO_QUEUES, BUSY)',
  '413': 'Body too large (BODY_TOO_LARGE)',
  '415': 'Body is not JSON (UNSUPPORTED_MEDIA_TYPE)',
  '503': 'Asterisk or Redis unavailable, or the live model not in sync (PBX_UNAVAILABLE, STORE_UNAVAILABLE, NOT_SYNCED)',
};

function parameters(where: 'path' | 'query', schema: unknown): unknown[] {
  const sch = schema as { properties?: Record<string, Schema>; required?: string[] } | undefined;
  if (!sch?.properties) return [];
  return Object.entries(sch.properties).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (sch.required ?? []).includes(name),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

function json(schema: unknown): unknown {
  return { 'application/json': { schema } };
}

export class OpenApiBuilder {
  readonly #routes: Collected[] = [];

  /** Give to fastify's onRoute hook. */
  collect(route: RouteOptions): void {
    const doc = (route.config as { doc?: RouteDoc } | undefined)?.doc;
    if (!doc || doc.hidden) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      this.#routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown>, doc });
    }
  }

  document(version: string): unknown {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.#routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const responses: Record<string, unknown> = {};
      for (const [status, schema] of Object.entries((r.schema.response ?? {}) as Record<string, Schema>)) {
        responses[status] = { description: status.startsWith('2') ? 'Success' : (ERROR_TEXT[status] ?? 'Error'), content: json(schema) };
      }
      Object.assign(responses, r.doc.rawResponses ?? {});
      const errors = new Set<string>();
      if (r.schema.params || r.schema.querystring || r.schema.body) errors.add('400');
      if (r.doc.access !== 'public') errors.add('401');
      if (r.doc.access === 'admin') errors.add('403');
      if (r.schema.body) ['413', '415'].forEach((e) => errors.add(e));
      for (const e of errors) responses[e] ??= { description: ERROR_TEXT[e], content: json(s.error) };
      paths[path] ??= {};
      paths[path][r.method] = {
        summary: r.doc.summary,
        description: `${r.doc.description ? `${r.doc.description}\n\n` : ''}Role: ${r.doc.access === 'public' ? 'none (no token)' : r.doc.access}.`,
        tags: [r.doc.tag],
        ...(r.doc.access === 'public' ? { security: [] } : {}),
        parameters: [...parameters('path', r.schema.params), ...parameters('query', r.schema.querystring)],
        ...(r.schema.body ? { requestBody: { required: ((r.schema.body as { required?: string[] }).required ?? []).length > 0, content: json(r.schema.body) } } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'agentgate admin API',
        version,
        description: 'Agents, numbers, queues, allowlists and the audit trail of an Asterisk call centre, and a live event stream. '
          + 'Every request needs `Authorization: Bearer <token>` (except /healthz and /readyz); read tokens may read, admin tokens may also act. '
          + 'Errors are `{ "error": { "code", "message" } }` with a stable code.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: { Error: s.error, Member: s.member, Queue: s.queue, Caller: s.caller, Agent: s.agentState, Number: s.numberState, Allowlist: s.allowlist, AuditEntry: s.auditEntry },
      },
      security: [{ bearer: [] }],
      paths,
    };
  }
}
