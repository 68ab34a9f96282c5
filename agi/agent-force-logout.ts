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
//   AGENTGATE_ERROR    on REFUSED/ERROR: NO_AGENT_ID, AGENT_NOT_FOUND (a keyed ID naming no agent), PBX_UNAVAILABLE, STORE_UNAVAILABLE, ...
//   AGENTGATE_AGENT    the agent id
//   AGENTGATE_REMOVED  how many queue members were removed
// Prompts (unless prompts=no): agent-loggedoff; agent-incorrect.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { forceLogoutAgent } from '../lib/agents/force-logout.ts';
import { AgentNotFoundError } from '../lib/agents/errors.ts';
import { isHashedSubject, keyedIdSubject } from '../lib/agents/keyed-id.ts';
import { askAgentIdRepeatedly } from '../lib/scripts/pin-entry.ts';
import { forceLogoutReply } from '../lib/scripts/agent-replies.ts';
import { agentParam, callerOrigin } from '../lib/scripts/agent-request.ts';
import { agentDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    let agentId = agentParam(ch.request);
    if (agentId === undefined) {
      // Keyed digits that name no agent may be anyone's PIN: refused under their
      // keyed hash, never logged, audited or made a key as keyed.
      const keyed = await askAgentIdRepeatedly(ch);
      const subject = await keyedIdSubject(svc.store, keyed);
      if (isHashedSubject(subject)) throw new AgentNotFoundError(subject);
      agentId = keyed;
    }
    return forceLogoutReply(await forceLogoutAgent(agentDeps(svc, log), { agentId, origin: callerOrigin(ch.request, svc) }));
  });
