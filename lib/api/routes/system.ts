// The service about itself: its OpenAPI document, Prometheus metrics, health.
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../context.ts';
import type { OpenApiBuilder } from '../openapi.ts';

export function systemRoutes(app: FastifyInstance, deps: ApiDeps, openapi: OpenApiBuilder, version: string): void {
  app.get('/openapi.json', {
    config: { doc: { access: 'read', summary: 'This document', tag: 'system', rawResponses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } } },
  }, async (_req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(openapi.document(version))));

  app.get('/metrics', {
    config: {
      doc: {
        access: deps.metricsPublic ? 'public' : 'read', tag: 'system', summary: 'Prometheus metrics',
        description: 'Needs a read token unless METRICS_PUBLIC=true (Prometheus: `authorization: { credentials: <token> }`).',
        rawResponses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
  }, async (_req, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.text()));

  app.get('/healthz', {
    config: { doc: { access: 'public', summary: 'Liveness: 200 while the process runs', tag: 'system', rawResponses: { 200: { description: 'Alive', content: { 'application/json': { schema: { type: 'object' } } } } } } },
  }, async () => ({ status: 'alive' }));

  app.get('/readyz', {
    config: {
      doc: {
        access: 'public', summary: 'Readiness: 200 when FastAGI listens, AMI is logged in and Redis answers, else 503', tag: 'system',
        rawResponses: { 200: { description: 'Ready', content: { 'application/json': { schema: { type: 'object' } } } }, 503: { description: 'Degraded; reasons say why', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  }, async (_req, reply) => {
    const h = deps.health
      ? await deps.health()
      : { ready: deps.feed.connected, reasons: deps.feed.connected ? [] : ['AMI is not logged in to Asterisk'] };
    return reply.code(h.ready ? 200 : 503).send({ status: h.ready ? 'ready' : 'degraded', ...h });
  });
}
