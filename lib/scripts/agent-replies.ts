// What each agent script tells the dialplan and the caller, in one place so
// the scripts stay thin and the variables stay the same across them.
import type { CallerReply } from './reply.ts';
import type { ForceLogoutResult } from '../agents/force-logout.ts';
import type { LoginResult } from '../agents/login.ts';
import type { LogoutResult } from '../agents/logout.ts';
import type { PauseResult } from '../agents/pause.ts';
import type { AgentStatus } from '../agents/status.ts';

export function loginReply(res: LoginResult): CallerReply {
  return {
    vars: {
      AGENTGATE_RESULT: 'LOGGEDIN',
      AGENTGATE_AGENT: res.agentId,
      AGENTGATE_PHONE: res.phone,
      AGENTGATE_QUEUES: res.queues.filter((q) => q.after === 'in').map((q) => q.queue).join(','),
      AGENTGATE_MOVED_FROM: res.movedFrom?.phone ?? '',
    },
    prompts: [{ file: res.already ? 'agent-alreadyon' : res.movedFrom ? 'agent-newlocation' : 'agent-loginok' }],
  };
}

export function logoutReply(res: LogoutResult): CallerReply {
  return {
    vars: { AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: res.agentId, AGENTGATE_PHONE: res.binding?.phone ?? '', AGENTGATE_QUEUES: '' },
    prompts: [{ file: 'agent-loggedoff' }],
  };
}

export function forceLogoutReply(res: ForceLogoutResult): CallerReply {
  return {
    vars: { AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: res.agentId, AGENTGATE_REMOVED: String(res.removed.length) },
    prompts: [{ file: 'agent-loggedoff' }],
  };
}

export function pauseReply(agentId: string, res: PauseResult): CallerReply {
  return {
    vars: {
      AGENTGATE_RESULT: res.paused ? 'PAUSED' : 'UNPAUSED',
      AGENTSTATUS: res.status,
      AGENTGATE_AGENT: agentId,
      AGENTGATE_PAUSE_REASON: res.reason,
      AGENTGATE_PAUSED_QUEUES: res.pausedQueues.join(','),
    },
    // "Pause activated" / "pause de-activated", from the core sounds.
    prompts: [{ file: 'dictate/pause' }, { file: res.paused ? 'activated' : 'de-activated' }],
  };
}

export function statusReply(agentId: string, st: AgentStatus): CallerReply {
  return {
    vars: {
      AGENTGATE_RESULT: st.status,
      AGENTSTATUS: st.status,
      AGENTGATE_AGENT: agentId,
      AGENTGATE_PHONE: st.phone ?? '',
      AGENTGATE_QUEUES: st.queues.join(','),
      AGENTGATE_PAUSED_QUEUES: st.pausedQueues.join(','),
      AGENTGATE_PAUSE_REASON: st.pausedReason,
    },
    prompts: [],
  };
}
