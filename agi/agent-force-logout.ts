// AGI(agi://host:4573/agent-force-logout[?agent=7001][&prompts=no])
// For an administrators' menu (protect it in the dialplan, e.g. with
// Authenticate()): logs the agent out by force, with no PIN. The agent is
// `agent=` or keyed at agent-user (3 tries). Removes every member Asterisk has
// for the agent (named after it, or at an interface Redis knows for it, even
// if Redis lost the record), clears each AGENTBYCALLERID_<phone> global that
// names it, deletes the binding however much of it is left, and audits who
// did it (the caller's number).
// Sets:
//   AGENTGATE_RESULT   LOGGEDOUT, or REFUSED / ERROR
//   AGENTGATE_ERROR    on REFUSED/ERROR: NO_AGENT_ID, PBX_UNAVAILABLE, STORE_UNAVAILABLE, ...
//   AGENTGATE_AGENT    the agent id
//   AGENTGATE_REMOVED  how many queue members were removed
// Prompts (unless prompts=no): agent-loggedoff; agent-incorrect.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { forceLogoutAgent } from '../lib/agents/force-logout.ts';
import { askAgentIdRepeatedly } from '../lib/scripts/pin-entry.ts';
import { forceLogoutReply } from '../lib/scripts/agent-replies.ts';
import { agentParam, callerOrigin } from '../lib/scripts/agent-request.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const agentId = agentParam(ch.request) ?? (await askAgentIdRepeatedly(ch));
    return forceLogoutReply(await forceLogoutAgent(agentDeps(svc, log), { agentId, origin: callerOrigin(ch.request, svc) }));
  });
