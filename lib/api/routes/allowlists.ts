// The queue allowlists and policies: who may log into which queue, with what
// penalty and name. The same store functions as `agentgate allow|policy`; the
// API also writes an audit entry per change, so a supervisor's edit is traced.
import type { FastifyInstance } from 'fastify';
import { allowNumber, disallowNumber, getPolicy, listAllowed, listAllowQueues, setPolicy, type QueuePolicy } from '../../queues/allowlist.ts';
import { canonicalNumber } from '../../numbers.ts';
import { origin, type ApiDeps } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import type { RouteDoc } from '../openapi.ts';
import * as s from '../schemas.ts';

const doc = (access: RouteDoc['access'], summary: string, description?: string): { doc: RouteDoc } => ({ doc: { access, summary, tag: 'allowlists', ...(description ? { description } : {}) } });

export function allowlistRoutes(app: FastifyInstance, { svc }: ApiDeps): void {
  const store = svc.store;
  app.get('/allowlists', {
    config: doc('read', 'Every queue with an allowlist or a policy'),
    schema: { response: { 200: { type: 'array', items: s.allowlist }, 503: s.error } },
  }, async () => Promise.all((await listAllowQueues(store)).map(async (q) => ({ ...q, numbers: await listAllowed(store, q.queue) }))));

  app.get<{ Params: { queue: string } }>('/allowlists/:queue', {
    config: doc('read', "One queue's policy and listed numbers", 'A queue never configured answers policy list and no numbers: only listed numbers get in.'),
    schema: { params: s.queueParams, response: { 200: s.allowlist, 503: s.error } },
  }, async (req) => ({ queue: req.params.queue, policy: await getPolicy(store, req.params.queue), numbers: await listAllowed(store, req.params.queue) }));

  app.put<{ Params: { queue: string; number: string }; Body: { penalty?: number; name?: string; wrapup?: number; confirm?: boolean } }>('/allowlists/:queue/numbers/:number', {
    config: doc('admin', 'Allow a number into a queue (or change its penalty and name)'),
    schema: { params: s.allowParams, body: s.allowBody, response: { 200: s.allowResult, 503: s.error } },
  }, async (req) => {
    const { queue } = req.params;
    const number = canonicalNumber(req.params.number, svc.numbers);
    const entry = { number, penalty: req.body.penalty ?? 0, name: req.body.name ?? number, ...(req.body.wrapup ? { wrapup: req.body.wrapup } : {}), ...(req.body.confirm === false ? { confirm: false as const } : {}) };
    await allowNumber(store, queue, entry, { source: 'api', by: origin(req).by });
    const saved = (await listAllowed(store, queue)).find((e) => e.number === number) ?? entry;
    return { queue, ...saved };
  });

  app.delete<{ Params: { queue: string; number: string } }>('/allowlists/:queue/numbers/:number', {
    config: doc('admin', "Remove a number from a queue's allowlist", 'A number already logged in stays in until it logs out.'),
    schema: { params: s.allowParams, response: { 200: s.removeResult, 404: s.error, 503: s.error } },
  }, async (req) => {
    const { queue } = req.params;
    const number = canonicalNumber(req.params.number, svc.numbers);
    if (!(await disallowNumber(store, queue, number, { source: 'api', by: origin(req).by }))) throw new NotFoundError('NOT_LISTED', `${number} is not on the allowlist of ${queue}`);
    return { queue, number, removed: true };
  });

  app.put<{ Params: { queue: string }; Body: { policy: QueuePolicy } }>('/allowlists/:queue/policy', {
    config: doc('admin', "Set a queue's policy", 'list: only listed numbers may log in (the default); open: any number, with penalty 0.'),
    schema: { params: s.queueParams, body: s.policyBody, response: { 200: s.policyResult, 503: s.error } },
  }, async (req) => {
    await setPolicy(store, req.params.queue, req.body.policy, { source: 'api', by: origin(req).by });
    return { queue: req.params.queue, policy: req.body.policy };
  });
}
