// AGI(agi://host:4573/agent-toggle[?agent=7001][&context=from-queue][&prompts=no])
// One code for the start and end of a shift: the agent bound to the calling
// phone is logged out (no PIN); otherwise the agent is identified as in
// agent-login (mobile: PIN only; else agent-user, agent-pass) and logged in
// at this phone, moving from wherever it was.
// Sets:
//   AGENTGATE_RESULT      LOGGEDIN or LOGGEDOUT, or REFUSED / ERROR
//   AGENTGATE_ERROR       on REFUSED/ERROR (see agent-login)
//   AGENTGATE_AGENT       the agent id
//   AGENTGATE_PHONE       the phone bound now (LOGGEDIN) or released (LOGGEDOUT)
//   AGENTGATE_QUEUES      queues it is a member of now (empty when LOGGEDOUT)
//   AGENTGATE_MOVED_FROM  LOGGEDIN only: the phone it was moved from, or empty
// Prompts (unless prompts=no): as agent-login and agent-logout.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { identifyAgent } from '../lib/scripts/identify.ts';
import { loginReply, logoutReply } from '../lib/scripts/agent-replies.ts';
import { readAgentRequest } from '../lib/scripts/agent-request.ts';
import { toggleAgent } from '../lib/agents/toggle.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const deps = agentDeps(svc, log);
    const req = readAgentRequest(ch.request, svc);
    const who = await identifyAgent(ch, deps, req);
    const res = await toggleAgent(deps, { agentId: who.agentId, boundHere: who.via === 'binding', phone: req.phone, context: req.context, origin: req.origin });
    return res.op === 'login' ? loginReply(res.login) : logoutReply(res.logout);
  });
