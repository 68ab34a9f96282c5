// AGI(agi://host:4573/queue-pause[?mode=toggle|pause|unpause][&reason=lunch][&queue=8008][&number=...][&context=...][&prompts=no])
// Pauses or unpauses the caller's number (or `number`), a dynamic member
// logged in with queue-*, with QueuePause (Reason), in `queue` or in every
// queue it is in. The default mode, toggle, unpauses a number paused
// everywhere asked and pauses otherwise. What is reported comes from
// Asterisk's QueueStatus after the change.
// Sets:
//   AGENTGATE_RESULT        PAUSED or UNPAUSED, or REFUSED / ERROR
//   AGENTGATE_ERROR         on REFUSED/ERROR: NOT_LOGGED_IN, BAD_PARAMS, INVALID_NUMBER, ...
//   QUEUESTAT               LOGGEDIN (REFUSED / ERROR on failure)
//   AGENTGATE_NUMBER        the number as agentgate understood it
//   AGENTGATE_QUEUES        the queues it is a dynamic member of
//   AGENTGATE_PAUSE_REASON  Asterisk's pause reason, empty when not paused
//   AGENTGATE_PAUSED_QUEUES every queue where it is paused now
// Prompts (unless prompts=no): dictate/pause then activated or de-activated;
// agent-loggedoff when the number is in no queue asked.
import type { AgiScript } from '../lib/agi/router.ts';
import { answer } from '../lib/scripts/reply.ts';
import { readQueuePauseRequest } from '../lib/scripts/queue-request.ts';
import { pauseNumber } from '../lib/queues/pause.ts';
import { queueDeps, type Services } from '../lib/services.ts';

export default (svc: Services): AgiScript => (ch, log) =>
  answer(ch, log, async () => {
    const req = readQueuePauseRequest(ch.request, svc);
    const res = await pauseNumber(queueDeps(svc, log), req);
    return {
      vars: {
        AGENTGATE_RESULT: res.paused ? 'PAUSED' : 'UNPAUSED',
        QUEUESTAT: 'LOGGEDIN',
        AGENTGATE_NUMBER: req.number,
        AGENTGATE_QUEUES: res.queues.join(','),
        AGENTGATE_PAUSE_REASON: res.reason,
        AGENTGATE_PAUSED_QUEUES: res.pausedQueues.join(','),
      },
      // "Pause activated" / "pause de-activated", from the core sounds.
      prompts: [{ file: 'dictate/pause' }, { file: res.paused ? 'activated' : 'de-activated' }],
    };
  }, (word) => ({ QUEUESTAT: word }));
