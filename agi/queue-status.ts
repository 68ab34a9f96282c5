// AGI(agi://host:4573/queue-status[?queue=8008,8009][&number=...][&context=...])
// The queue_devstate.agi replacement: tells the dialplan whether the number is
// in the queues, without prompts. Sets QUEUESTAT (LOGGEDIN, LOGGEDOUT, STATIC,
// NOQUEUES, or REFUSED/ERROR), AGENTGATE_QUEUES (dynamic memberships),
// AGENTGATE_STATIC_QUEUES and AGENTGATE_PAUSED_QUEUES.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { readQueueRequest } from '../lib/scripts/queue-request.ts';
import { memberStatus } from '../lib/queues/status.ts';
import type { Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const req = readQueueRequest(ch.request, svc, { queueRequired: false });
    const st = await memberStatus(svc.ami, req.interface, req.queuesNamed ? req.queues : undefined);
    log.info({ outcome: st.stat, number: req.number, queues: st.dynamic }, 'queue status');
    return {
      vars: {
        AGENTGATE_RESULT: st.stat, QUEUESTAT: st.stat, AGENTGATE_NUMBER: req.number,
        AGENTGATE_QUEUES: st.dynamic.join(','), AGENTGATE_STATIC_QUEUES: st.static.join(','), AGENTGATE_PAUSED_QUEUES: st.paused.join(','),
      },
      prompts: [],
    };
  }, (word) => ({ QUEUESTAT: word }));
