// The audit trail, newest first, a page at a time.
import type { FastifyInstance } from 'fastify';
import { readAudit } from '../../store/audit.ts';
import type { ApiDeps } from '../context.ts';
import * as s from '../schemas.ts';
import { BadParamsError } from '../../errors.ts';

export function auditRoutes(app: FastifyInstance, { svc }: ApiDeps): void {
  app.get<{ Querystring: { count?: string; before?: string } }>('/audit', {
    config: { doc: { access: 'read', summary: 'The audit trail, newest first', description: 'Page with `before` = the previous page\'s `next`.', tag: 'audit' } },
    schema: { querystring: s.auditQuery, response: { 200: s.auditPage, 503: s.error } },
  }, async (req) => {
    const count = req.query.count === undefined ? 50 : Number(req.query.count);
    if (count < 1 || count > 1000) throw new BadParamsError('count must be from 1 to 1000');
    const entries = await readAudit(svc.store, { count, ...(req.query.before ? { before: req.query.before } : {}) });
    return { entries, next: entries.length === count ? entries[entries.length - 1]!.id : null };
  });
}
