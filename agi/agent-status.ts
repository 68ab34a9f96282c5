// AGI(agi://host:4573/agent-status[?agent=7001])
// The agent's state as Asterisk reports it, without prompts or PIN: the agent
// is `agent=`, else the one bound to the calling phone (none: LOGGEDOUT).
// Sets:
//   AGENTSTATUS             LOGGEDOUT, AVAILABLE, PAUSED or ONCALL (REFUSED / ERROR on failure)
//   AGENTGATE_RESULT        the same word, or REFUSED / ERROR
//   AGENTGATE_ERROR         on REFUSED/ERROR: INVALID_NUMBER, PBX_UNAVAILABLE, ...
//   AGENTGATE_AGENT         the agent id, empty when none is bound here
//   AGENTGATE_PHONE         the phone it is bound to, or empty
//   AGENTGATE_QUEUES        queues its member is in
//   AGENTGATE_PAUSED_QUEUES queues where it is paused
//   AGENTGATE_PAUSE_REASON  Asterisk's pause reason, or empty
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { getPhoneAgent } from '../lib/agents/bindings.ts';
import { statusReply } from '../lib/scripts/agent-replies.ts';
import { agentParam } from '../lib/scripts/agent-request.ts';
import { agentStatus } from '../lib/agents/status.ts';
import { canonicalNumber } from '../lib/numbers.ts';
import type { Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const agentId = agentParam(ch.request) ?? (await getPhoneAgent(svc.store, canonicalNumber(ch.request.callerId, svc.numbers)));
    if (agentId === null) return statusReply('', { status: 'LOGGEDOUT', pausedReason: '', queues: [], pausedQueues: [] });
    const st = await agentStatus({ pbx: svc.ami, store: svc.store }, agentId);
    log.info({ agent: agentId, outcome: st.status }, 'agent status');
    return statusReply(agentId, st);
  }, (word) => ({ AGENTSTATUS: word }));
