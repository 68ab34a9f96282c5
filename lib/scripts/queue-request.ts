import type { AgiRequest } from '../agi/channel.ts';
import type { Services } from '../services.ts';
import { canonicalNumber } from '../numbers.ts';
import { localInterface } from '../asterisk/interfaces.ts';
import { parseQueueList, validContext } from '../validate.ts';
import type { Origin } from '../store/audit.ts';
import type { NumberPauseRequest } from '../queues/pause.ts';
import { readPauseParams } from './agent-request.ts';

export interface QueueScriptRequest {
  queues: string[];
  number: string;
  context: string;
  interface: string;
  origin: Origin;
}

/**
 * Reads `queue`, optional `number` (else the caller ID) and optional `context`
 * (else MEMBER_CONTEXT) from the script's query string. Throws BadParamsError
 * or InvalidNumberError before anything is touched.
 */
export function readQueueRequest(req: AgiRequest, svc: Services, opts: { queueRequired?: boolean } = {}): QueueScriptRequest & { queuesNamed: boolean } {
  const queuesNamed = (req.params.queue ?? '').trim() !== '';
  const queues = queuesNamed || opts.queueRequired !== false ? parseQueueList(req.params.queue) : [];
  const number = canonicalNumber(req.params.number ?? req.callerId, svc.numbers);
  const context = validContext(req.params.context ?? svc.config.queues.memberContext);
  return {
    queues,
    queuesNamed,
    number,
    context,
    interface: localInterface(number, context, svc.config.queues.members),
    origin: { source: 'fastagi', by: number, channel: req.channel, uniqueid: req.uniqueid },
  };
}

/**
 * queue-pause: `mode`, `reason`, one optional `queue`, and the number and
 * context as the other queue scripts read them.
 */
export function readQueuePauseRequest(req: AgiRequest, svc: Services): NumberPauseRequest {
  const pause = readPauseParams(req.params);
  const { number, context, origin } = readQueueRequest({ ...req, params: { ...req.params, queue: '' } }, svc, { queueRequired: false });
  return { number, context, origin, ...pause };
}
