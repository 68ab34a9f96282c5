// Agents: accounts, where each is logged in, and its members' live state; and
// the agent flows (login at a phone, logout, forced logout, pause/unpause
// with a reason) from lib/agents, with the same locks and audit entries as the
// FastAGI scripts and the CLI. An administrator logs an agent in without its
// PIN: the token is the authority.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getAgent, listAgents, type AgentAccount } from '../../agents/accounts.ts';
import { getAgentBinding, listBindings, type AgentBinding } from '../../agents/bindings.ts';
import { agentDeps } from '../../services.ts';
import { AgentNotFoundError } from '../../agents/errors.ts';
import { forceLogoutAgent } from '../../agents/force-logout.ts';
import { loginAgent } from '../../agents/login.ts';
import { logoutAgent } from '../../agents/logout.ts';
import { pauseAgent } from '../../agents/pause.ts';
import type { MemberView } from '../../live/events.ts';
import { busyWithCall } from '../../asterisk/device-state.ts';
import { canonicalNumber } from '../../numbers.ts';
import { validContext } from '../../validate.ts';
import { origin, reqLog, requireSynced, type ApiDeps } from '../context.ts';
import type { RouteDoc } from '../openapi.ts';
import * as s from '../schemas.ts';

/** The word the dialplan's AGENTSTATUS uses, from the live members (as lib/agents/status.ts decides it). */
function statusWord(members: MemberView[]): 'LOGGEDOUT' | 'AVAILABLE' | 'PAUSED' | 'ONCALL' {
  if (members.length === 0) return 'LOGGEDOUT';
  if (members.some((m) => m.inCall || m.call !== null || busyWithCall(m.statusCode))) return 'ONCALL';
  if (members.every((m) => m.paused)) return 'PAUSED';
  return 'AVAILABLE';
}

const doc = (access: RouteDoc['access'], summary: string, description?: string): { doc: RouteDoc } => ({ doc: { access, summary, tag: 'agents', ...(description ? { description } : {}) } });

export function agentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { svc, feed } = deps;
  const store = svc.store;

  const state = (a: AgentAccount, b: AgentBinding | null | undefined) => {
    const members = b ? feed.model.membersAt(b.interface) : [];
    return {
      id: a.id, name: a.name, queues: a.queues, mobile: a.mobile ?? null,
      loggedIn: !!b, phone: b?.phone ?? null, interface: b?.interface ?? null, since: b?.since ?? null,
      status: statusWord(members), members,
    };
  };
  const account = async (id: string): Promise<AgentAccount> => {
    const a = await getAgent(store, id);
    if (!a) throw new AgentNotFoundError(id);
    return a;
  };

  app.get('/agents', {
    config: doc('read', 'Every agent: where it is logged in, paused or on a call'),
    schema: { response: { 200: { type: 'array', items: s.agentState }, 503: s.error } },
  }, async () => {
    requireSynced(feed);
    const bound = new Map((await listBindings(store)).map((b) => [b.agentId, b]));
    return (await listAgents(store)).map((a) => state(a, bound.get(a.id)));
  });

  app.get<{ Params: { id: string } }>('/agents/:id', {
    config: doc('read', "One agent's state"),
    schema: { params: s.agentParams, response: { 200: s.agentState, 404: s.error, 503: s.error } },
  }, async (req) => {
    const a = await account(req.params.id);
    requireSynced(feed);
    return state(a, await getAgentBinding(store, a.id));
  });

  app.post<{ Params: { id: string }; Body: { phone: string; context?: string } }>('/agents/:id/login', {
    config: doc('admin', 'Log an agent in at a phone', 'Into every queue of its account, with its penalties; from another phone it is moved (the old members go first). No PIN: the admin token is the authority.'),
    schema: { params: s.agentParams, body: s.agentLoginBody, response: { 200: s.agentLoginResult, 404: s.error, 409: s.error, 503: s.error } },
  }, async (req) => {
    const phone = canonicalNumber(req.body.phone, svc.numbers);
    const context = validContext(req.body.context ?? svc.config.queues.memberContext);
    const res = await loginAgent(agentDeps(svc, reqLog(deps, req)), { agentId: req.params.id, phone, context, origin: origin(req) });
    return { ...res, movedFrom: res.movedFrom?.phone ?? null };
  });

  app.post<{ Params: { id: string } }>('/agents/:id/logout', {
    config: doc('admin', 'Log an agent out from wherever it is', 'An agent not logged in answers wasLoggedIn false.'),
    schema: { params: s.agentParams, response: { 200: s.agentLogoutResult, 404: s.error, 409: s.error, 503: s.error } },
  }, async (req) => {
    await account(req.params.id);
    const res = await logoutAgent(agentDeps(svc, reqLog(deps, req)), { agentId: req.params.id, origin: origin(req) });
    return { agentId: res.agentId, wasLoggedIn: res.wasLoggedIn, phone: res.binding?.phone ?? null, removed: res.removed };
  });

  app.post<{ Params: { id: string } }>('/agents/:id/force-logout', {
    config: doc('admin', 'Log an agent out by force', 'Whatever Redis and Asterisk say: removes every member of the agent Asterisk has, clears its AGENTBYCALLERID globals and what is left of its binding. Works for a deleted account too.'),
    schema: { params: s.agentParams, response: { 200: s.forceLogoutResult, 503: s.error } },
  }, async (req) => {
    const res = await forceLogoutAgent(agentDeps(svc, reqLog(deps, req)), { agentId: req.params.id, origin: origin(req) });
    return { agentId: res.agentId, removed: res.removed, globalsCleared: res.globalsCleared, phonesReleased: res.phonesReleased };
  });

  type PauseRequest = FastifyRequest<{ Params: { id: string }; Body: { queue?: string; reason?: string } }>;
  const pause = async (req: PauseRequest, mode: 'pause' | 'unpause') => {
    await account(req.params.id);
    const { queue, reason } = req.body;
    const res = await pauseAgent(agentDeps(svc, reqLog(deps, req)), {
      agentId: req.params.id, mode, ...(queue ? { queue } : {}), ...(reason ? { reason } : {}), origin: origin(req),
    });
    return { agentId: req.params.id, paused: res.paused, reason: res.reason, status: res.status, queues: res.queues, pausedQueues: res.pausedQueues };
  };

  app.post<{ Params: { id: string }; Body: { queue?: string; reason?: string } }>('/agents/:id/pause', {
    config: doc('admin', 'Pause an agent, with a reason', 'In one queue, or every queue the agent is in.'),
    schema: { params: s.agentParams, body: s.pauseBody, response: { 200: s.pauseResult, 404: s.error, 409: s.error, 503: s.error } },
  }, (req) => pause(req, 'pause'));

  app.post<{ Params: { id: string }; Body: { queue?: string; reason?: string } }>('/agents/:id/unpause', {
    config: doc('admin', 'Unpause an agent', 'In one queue, or every queue the agent is in.'),
    schema: { params: s.agentParams, body: s.unpauseBody, response: { 200: s.pauseResult, 404: s.error, 409: s.error, 503: s.error } },
  }, (req) => pause(req, 'unpause'));
}
