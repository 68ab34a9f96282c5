// AGI(agi://host:4573/agent-logout[?agent=7001][&prompts=no])
// Logs an agent out from wherever it is bound: its members there are removed,
// the binding deleted, the AGENTBYCALLERID_<phone> global cleared (with
// AGENT_COMPAT_GLOBALS). The agent bound to the calling phone needs no PIN;
// otherwise as agent-login (mobile: PIN only; else agent-user, agent-pass).
// An agent that was not logged in is simply LOGGEDOUT.
// Sets:
//   AGENTGATE_RESULT  LOGGEDOUT, or REFUSED / ERROR
//   AGENTGATE_ERROR   on REFUSED/ERROR: BAD_PIN, PIN_LOCKED_OUT, PBX_UNAVAILABLE, ...
//   AGENTGATE_AGENT   the agent id
//   AGENTGATE_PHONE   the phone it was bound to, or empty
//   AGENTGATE_QUEUES  empty
// Prompts (unless prompts=no): agent-loggedoff; agent-incorrect.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { identifyAgent } from '../lib/scripts/identify.ts';
import { logoutAgent } from '../lib/agents/logout.ts';
import { logoutReply } from '../lib/scripts/agent-replies.ts';
import { readAgentRequest } from '../lib/scripts/agent-request.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const deps = agentDeps(svc, log);
    const req = readAgentRequest(ch.request, svc);
    const who = await identifyAgent(ch, deps, req);
    return logoutReply(await logoutAgent(deps, { agentId: who.agentId, origin: req.origin }));
  });
