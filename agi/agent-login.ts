// AGI(agi://host:4573/agent-login[?agent=7001][&context=from-queue][&prompts=no])
// Binds an agent to the calling phone (its canonical caller number): each of
// the agent's queues gets a member Local/<phone>@<context>/n named after the
// agent, with the account's penalty. The agent is `agent=`, else the one
// already bound to this phone (no PIN: answers agent-alreadyon), else the one
// whose mobile is calling (PIN only), else keyed at agent-user; the PIN is
// keyed at agent-pass (3 tries, agent-incorrect between). Logging in at a new
// phone moves the agent (old members removed first; agent-newlocation).
// Sets:
//   AGENTGATE_RESULT      LOGGEDIN, or REFUSED / ERROR
//   AGENTGATE_ERROR       on REFUSED/ERROR: BAD_PIN (wrong ID or PIN), PIN_LOCKED_OUT,
//                         PHONE_TAKEN (another agent is here), AGENT_NO_QUEUES,
//                         INVALID_NUMBER, AGENT_NOT_FOUND, PBX_UNAVAILABLE, STORE_UNAVAILABLE, BUSY ...
//   AGENTGATE_AGENT       the agent id
//   AGENTGATE_PHONE       the phone it is bound to now
//   AGENTGATE_QUEUES      queues it is a dynamic member of there (comma-separated)
//   AGENTGATE_MOVED_FROM  the phone it was moved from, or empty
// Prompts: agent-loginok, agent-newlocation (moved), agent-alreadyon (already
// here, or PHONE_TAKEN), agent-incorrect (BAD_PIN, PIN_LOCKED_OUT). prompts=no
// silences these result prompts only; the ID and PIN dialogue always plays.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { identifyAgent } from '../lib/scripts/identify.ts';
import { loginAgent } from '../lib/agents/login.ts';
import { loginReply } from '../lib/scripts/agent-replies.ts';
import { readAgentRequest } from '../lib/scripts/agent-request.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const deps = agentDeps(svc, log);
    const req = readAgentRequest(ch.request, svc);
    const who = await identifyAgent(ch, deps, req);
    return loginReply(await loginAgent(deps, { agentId: who.agentId, phone: req.phone, context: req.context, origin: req.origin }));
  });
