// The AMI events agentgate listens to, declared in one table by each part that
// needs them. The login `Events:` mask (the classes Asterisk sends at all) and
// the `Filter` (the events it sends of those classes) are both derived from it,
// so a part that needs one more event adds it here and nowhere else. One AMI
// connection serves every part, and a filter belongs to the connection: it must
// let through what any of them needs.

// The class Asterisk 22 sends each event with (its Privilege header in
// shared/asterisk/ami-*.log): app_queue's member and call events are `agent`,
// the boot and shutdown notices `system`.
const CLASS_OF = {
  FullyBooted: 'system',
  Shutdown: 'system',
  QueueMemberAdded: 'agent',
  QueueMemberRemoved: 'agent',
  QueueMemberPause: 'agent',
  QueueMemberStatus: 'agent',
  QueueCallerJoin: 'agent',
  QueueCallerLeave: 'agent',
  QueueCallerAbandon: 'agent',
  AgentCalled: 'agent',
  AgentConnect: 'agent',
  AgentComplete: 'agent',
  AgentRingNoAnswer: 'agent',
} as const satisfies Record<string, 'system' | 'agent'>;

export type SubscribedEvent = keyof typeof CLASS_OF;

/** Each consumer's events. */
export const SUBSCRIPTIONS = {
  /** lib/ami/client.ts: FullyBooted's Uptime tells a restart; Shutdown is logged. */
  client: ['FullyBooted', 'Shutdown'],
  /** lib/sync: member changes made outside agentgate (track-events.ts), the re-sync after a boot (start.ts). */
  sync: ['QueueMemberAdded', 'QueueMemberRemoved', 'QueueMemberPause', 'FullyBooted'],
  /** lib/live: what the agent/queue model digests (model.ts). */
  live: [
    'QueueMemberAdded',
    'QueueMemberRemoved',
    'QueueMemberPause',
    'QueueMemberStatus',
    'QueueCallerJoin',
    'QueueCallerLeave',
    'QueueCallerAbandon',
    'AgentCalled',
    'AgentConnect',
    'AgentComplete',
    'AgentRingNoAnswer',
  ],
} as const satisfies Record<string, readonly SubscribedEvent[]>;

const ALL: readonly SubscribedEvent[] = [...new Set(Object.values(SUBSCRIPTIONS).flat())];

/** The login `Events:` mask: every class a subscribed event comes in ('system,agent'). */
export const AMI_EVENT_MASK = [...new Set(ALL.map((name) => CLASS_OF[name]))].join(',');

/** The AMI `Filter` (a regular expression over the event text) that lets through exactly the subscribed events. */
export const AMI_EVENT_FILTER = `Event: (${ALL.join('|')})`;
