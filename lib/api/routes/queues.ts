// Queues with their members and waiting callers, from the live model.
import type { FastifyInstance } from 'fastify';
import { NoSuchQueueError } from '../../errors.ts';
import { requireSynced, type ApiDeps } from '../context.ts';
import type { RouteDoc } from '../openapi.ts';
import * as s from '../schemas.ts';

const doc = (summary: string): { doc: RouteDoc } => ({ doc: { access: 'read', summary, tag: 'queues' } });

export function queueRoutes(app: FastifyInstance, { feed }: ApiDeps): void {
  app.get('/queues', {
    config: doc('Every queue Asterisk has, with members and waiting callers'),
    schema: { response: { 200: { type: 'array', items: s.queue }, 503: s.error } },
  }, async () => {
    requireSynced(feed);
    return feed.model.queues();
  });

  app.get<{ Params: { queue: string } }>('/queues/:queue', {
    config: doc('One queue, with members and waiting callers'),
    schema: { params: s.queueParams, response: { 200: s.queue, 404: s.error, 503: s.error } },
  }, async (req) => {
    requireSynced(feed);
    const q = feed.model.queues().find((x) => x.queue.toLowerCase() === req.params.queue.toLowerCase());
    if (!q) throw new NoSuchQueueError(req.params.queue);
    return q;
  });
}
