// pbxis' scoping: a client names agents and/or numbers and queues; it gets an
// event only when every scope property the event has is in its lists. Two
// dimensions: the queue, and who (an agent or a number: an agent logged in at
// a phone is both, and either named is enough). A list the client leaves out
// does not filter its dimension, so `queues=8008` alone is "everything in
// queue 8008", and an event with neither property (the AMI link state) is for
// everyone.
import { validateAgentId, validQueue } from '../validate.ts';
import { BadParamsError } from '../errors.ts';
import { canonicalNumber, type NumberRules } from '../numbers.ts';

export interface Scope {
  /** Lower-cased: Asterisk compares queue names without case. */
  queues?: ReadonlySet<string>;
  agents?: ReadonlySet<string>;
  numbers?: ReadonlySet<string>;
}

export interface ScopeProps {
  queue?: string;
  /** An event about several queues (an agent's login) is in scope when any of them is. */
  queues?: readonly string[];
  agent?: string;
  number?: string;
}

export const EVERYTHING: Scope = {};

export function inScope(scope: Scope, e: ScopeProps): boolean {
  if (e.queue !== undefined && scope.queues && !scope.queues.has(e.queue.toLowerCase())) return false;
  if (e.queues !== undefined && scope.queues && !e.queues.some((q) => scope.queues!.has(q.toLowerCase()))) return false;
  if ((e.agent !== undefined || e.number !== undefined) && (scope.agents || scope.numbers)) {
    const byAgent = e.agent !== undefined && scope.agents?.has(e.agent) === true;
    const byNumber = e.number !== undefined && scope.numbers?.has(e.number) === true;
    if (!byAgent && !byNumber) return false;
  }
  return true;
}

/** At most this many names per list: a scope is a screen's worth, not a directory. */
export const MAX_SCOPE_ITEMS = 1000;

function items(raw: string | undefined, what: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (list.length === 0) throw new BadParamsError(`${what} must name at least one (leave it out for all)`);
  if (list.length > MAX_SCOPE_ITEMS) throw new BadParamsError(`${what} may name at most ${MAX_SCOPE_ITEMS}`);
  return list;
}

/** From `queues=8008,8009&agents=7&numbers=79112223344`; each name checked, numbers made canonical. */
export function parseScope(q: { queues?: string; agents?: string; numbers?: string }, rules: NumberRules): Scope {
  const scope: { queues?: Set<string>; agents?: Set<string>; numbers?: Set<string> } = {};
  const queues = items(q.queues, 'queues');
  if (queues) scope.queues = new Set(queues.map((x) => validQueue(x).toLowerCase()));
  const agents = items(q.agents, 'agents');
  if (agents) {
    for (const a of agents) validateAgentId(a);
    scope.agents = new Set(agents);
  }
  const numbers = items(q.numbers, 'numbers');
  if (numbers) scope.numbers = new Set(numbers.map((n) => canonicalNumber(n, rules)));
  return scope;
}
