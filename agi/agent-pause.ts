// AGI(agi://host:4573/agent-pause[?mode=toggle|pause|unpause][&reason=lunch][&queue=8008][&agent=7001][&prompts=no])
// Pauses or unpauses the agent with QueuePause (Reason), in `queue` or in
// every queue its member is in. The default mode, toggle, unpauses an agent
// paused everywhere asked and pauses otherwise. The agent bound to the calling
// phone needs no PIN; otherwise as agent-login. What is reported comes from
// Asterisk's QueueStatus after the change.
// Sets:
//   AGENTGATE_RESULT        PAUSED or UNPAUSED, or REFUSED / ERROR
//   AGENTGATE_ERROR         on REFUSED/ERROR: NOT_LOGGED_IN, BAD_PIN, PIN_LOCKED_OUT, BAD_PARAMS, ...
//   AGENTSTATUS             AVAILABLE, PAUSED or ONCALL (REFUSED / ERROR on failure)
//   AGENTGATE_AGENT         the agent id
//   AGENTGATE_PAUSE_REASON  Asterisk's pause reason, empty when not paused
//   AGENTGATE_PAUSED_QUEUES every queue where it is paused now
// Prompts (unless prompts=no): dictate/pause then activated or de-activated; agent-loggedoff
// when not logged in.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { identifyAgent } from '../lib/scripts/identify.ts';
import { pauseAgent } from '../lib/agents/pause.ts';
import { pauseReply } from '../lib/scripts/agent-replies.ts';
import { readAgentRequest, readPauseParams } from '../lib/scripts/agent-request.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const deps = agentDeps(svc, log);
    const req = readAgentRequest(ch.request, svc);
    const params = readPauseParams(ch.request.params);
    const who = await identifyAgent(ch, deps, req);
    return pauseReply(who.agentId, await pauseAgent(deps, { agentId: who.agentId, ...params, origin: req.origin }));
  }, (word) => ({ AGENTSTATUS: word }));
