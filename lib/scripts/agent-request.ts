// What the agent scripts read from the request, checked before anything is
// touched: the caller's phone, the member context, an optional agent id the
// dialplan already knows, and the pause parameters.
import type { AgiRequest } from '../agi/channel.ts';
import { canonicalNumber } from '../numbers.ts';
import type { Origin } from '../store/audit.ts';
import { localInterface } from '../asterisk/interfaces.ts';
import { validateAgentId, validContext, validQueue } from '../validate.ts';
import type { Services } from '../services.ts';
import { callerSubject } from '../agents/pin-guard.ts';
import { validPauseReason, type PauseMode } from '../agents/pause.ts';
import { BadParamsError } from '../errors.ts';

export interface AgentScriptRequest {
  /** The caller's canonical number: the phone the agent logs in at. */
  phone: string;
  context: string;
  /** The member interface that rings this phone. */
  interface: string;
  /** `agent=` from the query string, when the dialplan knows who it is. */
  agentId?: string;
  origin: Origin;
}

/** `agent=` when given, validated; undefined when absent or empty. */
export function agentParam(req: AgiRequest): string | undefined {
  const raw = (req.params.agent ?? '').trim();
  if (raw === '') return undefined;
  validateAgentId(raw);
  return raw;
}

/**
 * Throws InvalidNumberError for a withheld or odd caller ID (an agent must be
 * bound to a real phone) and BadParamsError for bad parameters.
 */
export function readAgentRequest(req: AgiRequest, svc: Services): AgentScriptRequest {
  const phone = canonicalNumber(req.callerId, svc.numbers);
  const context = validContext(req.params.context ?? svc.config.queues.memberContext);
  const agentId = agentParam(req);
  return {
    phone,
    context,
    interface: localInterface(phone, context, svc.config.queues.members),
    ...(agentId !== undefined ? { agentId } : {}),
    origin: { source: 'fastagi', by: phone, channel: req.channel, uniqueid: req.uniqueid },
  };
}

/** For scripts that need no phone (force logout from an admin menu): who called, as far as it can be told. */
export function callerOrigin(req: AgiRequest, svc: Services): Origin {
  let by: string;
  try {
    by = canonicalNumber(req.callerId, svc.numbers);
  } catch {
    by = callerSubject(undefined);
  }
  return { source: 'fastagi', by, channel: req.channel, uniqueid: req.uniqueid };
}

/** `mode`, `queue` and `reason` from a script's query string, checked. */
export function readPauseParams(params: Record<string, string>): { mode: PauseMode; queue?: string; reason?: string } {
  const mode = (params.mode ?? '').trim().toLowerCase() || 'toggle';
  if (mode !== 'pause' && mode !== 'unpause' && mode !== 'toggle') throw new BadParamsError('mode must be pause, unpause or toggle');
  const queue = (params.queue ?? '').trim();
  const reason = (params.reason ?? '').trim();
  return { mode, ...(queue ? { queue: validQueue(queue) } : {}), ...(reason ? { reason: validPauseReason(reason) } : {}) };
}
