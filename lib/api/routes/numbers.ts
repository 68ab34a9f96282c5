// Numbers (mobile and desk phones as queue members): their state from the live
// model, and logging them in and out through the queue domain, with its locks
// and audit entries, exactly as queue-login / queue-logout and the CLI do.
import type { FastifyInstance } from 'fastify';
import type { MemberView } from '../../live/events.ts';
import { changeMembership, logoutEverywhere } from '../../queues/membership.ts';
import { pauseNumber } from '../../queues/pause.ts';
import { validContext } from '../../validate.ts';
import { canonicalNumber } from '../../numbers.ts';
import { queueDeps } from '../../services.ts';
import { origin, reqLog, requireSynced, type ApiDeps } from '../context.ts';
import type { RouteDoc } from '../openapi.ts';
import * as s from '../schemas.ts';
import { compareText } from '../../compare-text.ts';

function numberState(number: string, members: MemberView[]) {
  return { number, agent: members.find((m) => m.agent)?.agent ?? null, loggedIn: members.length > 0, members };
}

const doc = (access: RouteDoc['access'], summary: string, description?: string): { doc: RouteDoc } => ({ doc: { access, summary, tag: 'numbers', ...(description ? { description } : {}) } });

export function numberRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { svc, feed } = deps;
  const canonical = (raw: string) => canonicalNumber(raw, svc.numbers);

  app.get('/numbers', {
    config: doc('read', 'Numbers in queues now, with their state'),
    schema: { response: { 200: { type: 'array', items: s.numberState }, 503: s.error } },
  }, async () => {
    requireSynced(feed);
    const by = new Map<string, MemberView[]>();
    for (const m of feed.model.members()) if (m.number) by.set(m.number, [...(by.get(m.number) ?? []), m]);
    return [...by.entries()].sort(([a], [b]) => compareText(a, b)).map(([n, ms]) => numberState(n, ms));
  });

  app.get<{ Params: { number: string } }>('/numbers/:number', {
    config: doc('read', "One number's state", 'A number in no queue is answered with loggedIn false, not 404.'),
    schema: { params: s.numberParams, response: { 200: s.numberState, 503: s.error } },
  }, async (req) => {
    const number = canonical(req.params.number);
    requireSynced(feed);
    return numberState(number, feed.model.members().filter((m) => m.number === number));
  });

  app.post<{ Params: { number: string }; Body: { queues: string[]; context?: string } }>('/numbers/:number/login', {
    config: doc('admin', 'Log a number into queues', 'As queue-login: only numbers on the queue allowlists (or open queues) get in, with the listed penalty and name; all queues or none.'),
    schema: { params: s.numberParams, body: s.numberLoginBody, response: { 200: s.numberChangeResult, 404: s.error, 409: s.error, 503: s.error } },
  }, async (req) => {
    const number = canonical(req.params.number);
    const context = validContext(req.body.context ?? svc.config.queues.memberContext);
    const res = await changeMembership(queueDeps(svc, reqLog(deps, req)), { op: 'login', number, queues: req.body.queues, context, origin: origin(req) });
    return { number, ...res };
  });

  app.post<{ Params: { number: string }; Body: { queues?: string[]; context?: string } }>('/numbers/:number/logout', {
    config: doc('admin', 'Log a number out of queues', 'Without queues: out of every queue Asterisk has it in, and any stale record dropped.'),
    schema: { params: s.numberParams, body: s.numberLogoutBody, response: { 200: s.numberChangeResult, 404: s.error, 409: s.error, 503: s.error } },
  }, async (req) => {
    const number = canonical(req.params.number);
    const context = validContext(req.body.context ?? svc.config.queues.memberContext);
    const qd = queueDeps(svc, reqLog(deps, req));
    const res = req.body.queues
      ? await changeMembership(qd, { op: 'logout', number, queues: req.body.queues, context, origin: origin(req) })
      : await logoutEverywhere(qd, number, context, origin(req));
    return { number, ...res };
  });

  for (const mode of ['pause', 'unpause'] as const) {
    app.post<{ Params: { number: string }; Body: { queue?: string; reason?: string; context?: string } }>(`/numbers/:number/${mode}`, {
      config: doc('admin', mode === 'pause' ? 'Pause a number' : 'Unpause a number', mode === 'pause'
        ? 'As queue-pause: QueuePause with the reason, in one queue or every queue the number is in; 409 NOT_LOGGED_IN when it is in none.'
        : 'In one queue or every queue the number is in (an auto-pause included).'),
      schema: { params: s.numberParams, body: mode === 'pause' ? s.numberPauseBody : s.numberUnpauseBody, response: { 200: s.numberPauseResult, 409: s.error, 503: s.error } },
    }, async (req) => {
      const number = canonical(req.params.number);
      const context = validContext(req.body?.context ?? svc.config.queues.memberContext);
      const res = await pauseNumber(queueDeps(svc, reqLog(deps, req)), {
        number, context, mode, origin: origin(req),
        ...(req.body?.queue ? { queue: req.body.queue } : {}),
        ...(mode === 'pause' && req.body?.reason ? { reason: req.body.reason } : {}),
      });
      return { number, ...res };
    });
  }
}
