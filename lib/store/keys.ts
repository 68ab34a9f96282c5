// Every Redis key agentgate uses is spelled here and nowhere else.
// All keys live under one configurable prefix (REDIS_PREFIX, default "agentgate:").
// The schema is documented in README.md ("Redis keys"); keep the two in step.

import { queueName } from '../validate.ts';

export interface Keys {
  /** Hash number -> JSON {penalty, name}: numbers allowed into <queue>. */
  allowlist(queue: string): string;
  /** String "open" | "list": a queue's policy; absent means "list" (secure default). */
  policy(queue: string): string;
  /** Set of queues that have an allowlist or policy, for listing. */
  allowQueues(): string;
  /** Hash interface -> JSON Binding: members of <queue> that agentgate knows of. */
  members(queue: string): string;
  /** Set of queues that have members in Redis. */
  memberQueues(): string;
  /** String token with expiry: a per-subject lock (a number or an agent). */
  lock(subject: string): string;
  /** Counter with expiry: toggles by <number> in the current window. */
  rate(number: string): string;
  /** Stream: the audit trail, capped. */
  audit(): string;
  /** Hash: an agent account (name, pinHash, queues JSON, mobile). */
  agent(id: string): string;
  /** Set of agent ids. */
  agents(): string;
  /** String agentId: which agent is bound to this phone (device or number). */
  phoneBinding(phone: string): string;
  /** Hash {phone, interface, since}: where this agent is bound. */
  agentBinding(id: string): string;
  /** Set of agent ids that have an agentBinding, so bindings can be listed without SCAN. */
  bindings(): string;
  /** Counter with expiry: wrong PINs for an agent, or from a caller. */
  pinFailures(kind: 'agent' | 'caller', subject: string): string;
  /** String: this installation's random salt for hashing keyed IDs that name no agent (lib/store/salt.ts). */
  installSalt(): string;
  /** Hash id -> JSON intent: changes to Asterisk started but not yet recorded (crash repair). */
  intents(): string;
  /** Counter with expiry: rings of this member in a row it did not answer (lib/sync/auto-pause.ts). */
  noAnswer(queue: string, iface: string): string;
  /** Sorted set, score = when (ms) -> JSON {queue, interface, reason}: auto-pauses to lift after their cool-down. */
  autoPauseDue(): string;
  /** The per-queue keys of a queue name as typed, before names were kept in lower case; for migrate.ts only. */
  queueKeysAsTyped(queue: string): { allowlist: string; policy: string; members: string };
}

export function makeKeys(prefix: string): Keys {
  const k = (...parts: string[]) => prefix + parts.join(':');
  // Asterisk finds queues without case: `Sales` and `sales` are one queue, one key.
  return {
    allowlist: (queue) => k('allow', queueName(queue)),
    policy: (queue) => k('policy', queueName(queue)),
    allowQueues: () => k('allow-queues'),
    members: (queue) => k('members', queueName(queue)),
    memberQueues: () => k('member-queues'),
    lock: (subject) => k('lock', subject),
    rate: (number) => k('rate', number),
    audit: () => k('audit'),
    agent: (id) => k('agent', id),
    agents: () => k('agents'),
    phoneBinding: (phone) => k('phone', phone),
    agentBinding: (id) => k('agent-binding', id),
    bindings: () => k('bindings'),
    pinFailures: (kind, subject) => k('pinfail', kind, subject),
    installSalt: () => k('install-salt'),
    intents: () => k('intents'),
    // Interfaces compared as Asterisk compares them: without case.
    noAnswer: (queue, iface) => k('noanswer', queueName(queue), iface.toLowerCase()),
    autoPauseDue: () => k('autopause-due'),
    queueKeysAsTyped: (queue) => ({ allowlist: k('allow', queue), policy: k('policy', queue), members: k('members', queue) }),
  };
}
