// GET /events: the live stream (server-sent events), scoped by the query.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { LIVE_EVENT_TYPES } from '../../live/events.ts';
import { parseScope } from '../../live/scope.ts';
import { reqLog, type ApiDeps } from '../context.ts';
import * as s from '../schemas.ts';

const DESCRIPTION = `Server-sent events. First a \`snapshot\` event (the state in scope: members, queues with their callers, logged-in agents, and whether the AMI link is connected and the model synced), then one event per change: ${LIVE_EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}.
Scope: \`queues\`, \`agents\` and \`numbers\` (comma-separated). An event is sent when every scope property it has (queue, agent, number) is in the lists given; agents and numbers together name who (either matches); a list left out does not filter, and an event with no scope property (\`pbx\`) goes to everyone.
Each frame is \`id: <n>\`, \`event: <type>\`, \`data: <JSON>\`. On reconnect a new snapshot is sent; there is no replay by Last-Event-ID.
A stream whose client reads too slowly (its own unread data past 4 MiB, or the streams together past \`API_STREAM_BUFFER_BYTES\`: the slow readers are cut, oldest first) ends with a \`closing\` event whose \`reason\` is \`SLOW_READER\` or \`BUFFER_BUDGET\`.`;

export function eventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { svc, streams } = deps;
  app.get<{ Querystring: { queues?: string; agents?: string; numbers?: string } }>('/events', {
    config: {
      doc: {
        access: 'read', summary: 'The live event stream', description: DESCRIPTION, tag: 'live',
        rawResponses: { 200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 503: { description: 'Too many streams open, in all or for this token (TOO_MANY_STREAMS)', content: { 'application/json': { schema: s.error } } } },
      },
    },
    schema: { querystring: s.scopeQuery },
  }, async (req, reply) => {
    const scope = parseScope(req.query, svc.numbers);
    if (streams.full) throw new AppError('TOO_MANY_STREAMS', 'too many live streams are open; try again later');
    const token = req.caller?.name ?? '';
    if (streams.fullFor(token)) throw new AppError('TOO_MANY_STREAMS', `the token "${token}" has as many live streams open as it may (API_STREAMS_PER_TOKEN); close one first`);
    const log = reqLog(deps, req);
    log.info({ query: req.query }, 'live stream opened');
    // Headers set so far (CORS) are fastify's to send; a hijacked reply writes its own.
    const cors = reply.getHeader('access-control-allow-origin');
    const vary = reply.getHeader('vary');
    reply.hijack();
    streams.serve(reply.raw, scope, (cut) => {
      if (cut) {
        deps.metrics.streamCut(cut);
        log.warn({ reason: cut }, 'live stream cut: its client left too much unread');
      } else log.info('live stream closed');
    }, {
      ...(typeof cors === 'string' ? { 'access-control-allow-origin': cors } : {}),
      ...(typeof vary === 'string' ? { vary } : {}),
    }, token);
  });
}
