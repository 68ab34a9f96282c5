// When a member that does not answer is paused: a pure decision, from the
// rule of its queue, the count of rings it left unanswered in a row and what
// agentgate knows of it. Side effects live in auto-pause.ts.
import type { AutoPauseRule } from '../config.ts';

/** What the queue told us about one member. */
export type RingOutcome =
  /** AgentRingNoAnswer: rung and not answered (a timeout, a reject, a confirm not given). */
  | 'noanswer'
  /** AgentConnect: answered a queue call. */
  | 'answered'
  /** Logged in (QueueMemberAdded) or unpaused (QueueMemberPause, Paused 0): a fresh start. */
  | 'fresh';

export interface MemberFacts {
  /** agentgate logged the member in (a number or an agent); others are left alone. */
  managed: boolean;
  /** Paused in that queue already: nothing to pause. */
  paused: boolean;
}

export type AutoPauseStep =
  /** Nothing to count or change. */
  | { do: 'ignore' }
  /** Forget the member's count. */
  | { do: 'reset' }
  /** Count one more miss; below the threshold. */
  | { do: 'count' }
  /** Count, and the threshold is reached: pause with this reason and reset the count. */
  | { do: 'pause'; reason: string; cooldownSec: number };

/** The rule of a queue: its own, or the default. */
export function ruleFor(cfg: { rule: AutoPauseRule; queues: Record<string, AutoPauseRule> }, queue: string): AutoPauseRule {
  return cfg.queues[queue.toLowerCase()] ?? cfg.rule;
}

/**
 * One event about one member of one queue. `missesBefore` is its count of
 * unanswered rings in a row before this event.
 */
export function planAutoPause(rule: AutoPauseRule, outcome: RingOutcome, missesBefore: number, member: MemberFacts): AutoPauseStep {
  if (outcome !== 'noanswer') return missesBefore > 0 ? { do: 'reset' } : { do: 'ignore' };
  if (!member.managed || rule.after === 0) return { do: 'ignore' };
  // A paused member is not rung by the queue; a ring that ends unanswered
  // after someone paused it does not count towards the next pause.
  if (member.paused) return missesBefore > 0 ? { do: 'reset' } : { do: 'ignore' };
  if (missesBefore + 1 >= rule.after) return { do: 'pause', reason: rule.reason, cooldownSec: rule.cooldownSec };
  return { do: 'count' };
}
