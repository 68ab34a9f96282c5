// Cross-origin access for the configured browser origins only (a wallboard
// page served from elsewhere). The preflight carries no token, so it is
// answered here before authentication; the real request then needs its token
// like any other. No cookies are involved: tokens travel in the header.
import type { FastifyInstance } from 'fastify';

const MAX_AGE_S = 600;

export function allowOrigins(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin?.toLowerCase();
    if (!origin || !allowed.has(origin)) return;
    void reply.header('access-control-allow-origin', req.headers.origin).header('vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', String(MAX_AGE_S))
        .send();
    }
  });
}
