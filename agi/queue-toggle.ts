// AGI(agi://host:4573/queue-toggle?queue=8008[,8009][&number=...][&context=...][&prompts=no])
// Toggle the caller's number (or `number`): out of the queues if it is in any, else in.
import { membershipScript } from '../lib/scripts/membership.ts';
import type { Services } from '../lib/services.ts';

export default (svc: Services) => membershipScript('toggle', svc);
