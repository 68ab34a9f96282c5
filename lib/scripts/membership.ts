// The body shared by queue-login, queue-logout and queue-toggle.
import type { AgiChannel } from '../agi/channel.ts';
import type { AgiScript } from '../agi/router.ts';
import { answer, type Prompt } from './reply.ts';
import type { Logger } from '../log.ts';
import { queueDeps, type Services } from '../services.ts';
import { changeMembership, type MemberOp } from '../queues/membership.ts';
import { readQueueRequest } from './queue-request.ts';

/**
 * The body shared by queue-login, queue-logout and queue-toggle: they differ
 * only in the operation. Sets AGENTGATE_RESULT and QUEUESTAT (LOGGEDIN,
 * LOGGEDOUT, STATIC, or REFUSED/ERROR with AGENTGATE_ERROR), AGENTGATE_NUMBER
 * and AGENTGATE_QUEUES (the queues asked for that the number is now in).
 */
export function membershipScript(op: MemberOp, svc: Services): AgiScript {
  return async (ch: AgiChannel, log: Logger) =>
    answer(ch, log, async () => {
      const req = readQueueRequest(ch.request, svc);
      const res = await changeMembership(queueDeps(svc, log), { op, number: req.number, queues: req.queues, context: req.context, origin: req.origin, rateLimited: true });
      const now = res.queues.filter((q) => q.after !== 'out').map((q) => q.queue);
      log.info({ outcome: res.state, number: req.number, queues: req.queues, changed: res.queues.filter((q) => q.before !== q.after).map((q) => q.queue) }, `queue ${op}`);
      const prompts: Prompt[] = res.state === 'LOGGEDIN'
        ? [{ file: 'agent-loginok' }, { digits: req.number }]
        : res.state === 'LOGGEDOUT' ? [{ file: 'agent-loggedoff' }] : [{ file: 'pbx-invalid' }];
      return {
        vars: { AGENTGATE_RESULT: res.state, QUEUESTAT: res.state, AGENTGATE_NUMBER: req.number, AGENTGATE_QUEUES: now.join(',') },
        prompts,
      };
    }, (word) => ({ QUEUESTAT: word }));
}
