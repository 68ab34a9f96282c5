// The AMI classes agentgate's user needs, and no more (dialplan/manager_custom.conf).
// An action's class is the one Asterisk 22 registers it with (apps/app_queue.c,
// main/manager.c); 'none' needs no write class. Asterisk runs an action when the
// user's write classes share any class with the action's.
import { AMI_EVENT_MASK } from './subscriptions.ts';

export const ACTION_CLASS = {
  Login: 'none',
  Logoff: 'none',
  Ping: 'none',
  Events: 'none',
  QueueStatus: 'none',
  QueueSummary: 'none',
  QueueAdd: 'agent',
  QueueRemove: 'agent',
  QueuePause: 'agent',
  QueueMemberRingInUse: 'agent',
  Setvar: 'call',
  // Both call or reporting: call, which Setvar needs anyway.
  Getvar: 'call',
  ExtensionStateList: 'call',
  // Optional: refused without write=system, then the user's eventfilter lines filter instead.
  Filter: 'system',
} as const;

export type SentAction = keyof typeof ACTION_CLASS;

const OPTIONAL: ReadonlySet<SentAction> = new Set(['Filter']);

/** The write classes the service needs: every class of an action it must be able to send. */
export const REQUIRED_WRITE: readonly string[] = [...new Set(
  (Object.entries(ACTION_CLASS) as Array<[SentAction, string]>).filter(([a, c]) => c !== 'none' && !OPTIONAL.has(a)).map(([, c]) => c),
)].sort();

/** The read classes: those of the events it subscribes to. */
export const REQUIRED_READ: readonly string[] = AMI_EVENT_MASK.split(',').sort();
