// AGI(agi://host:4573/queue-login?queue=8008[,8009][&number=...][&context=...][&prompts=no])
// Log in the caller's number (or `number`) as a dynamic member of the queues.
import { membershipScript } from '../lib/scripts/membership.ts';
import type { Services } from '../lib/services.ts';

export default (svc: Services) => membershipScript('login', svc);
