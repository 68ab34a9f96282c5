import { validateAgentName, validateQueueName } from '../agents/validate.ts';
import { BadParamsError } from '../errors.ts';

// Queue names, member names and contexts reach AMI headers and Redis keys, so
// they are checked at the edge. Member names also end up in Asterisk's astdb copy
// (Queue/PersistentMembers), which splits on ';', ',' and '|' and corrupts a name
// holding them on restore (see shared/asterisk/README.md).

const CONTEXT = /^[A-Za-z0-9_-]{1,80}$/;

export function validQueue(queue: string): string {
  validateQueueName(queue);
  return queue;
}

/** `queue=8008,8009` as a list; at least one, no duplicates. */
export function parseQueueList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') throw new BadParamsError('parameter queue is required');
  const queues = [...new Set(raw.split(',').map((q) => q.trim()).filter(Boolean))];
  if (queues.length === 0) throw new BadParamsError('parameter queue is required');
  return queues.map(validQueue);
}

export function validContext(context: string): string {
  if (!CONTEXT.test(context)) throw new BadParamsError(`bad context ${JSON.stringify(context)}`);
  return context;
}

/** A member name as an agent's display name is held: the same rules, outer spaces forgiven. */
export function validMemberName(name: string): string {
  const trimmed = name.trim();
  validateAgentName(trimmed);
  return trimmed;
}

export function validPenalty(penalty: number): number {
  if (!Number.isInteger(penalty) || penalty < 0 || penalty > 1000) throw new BadParamsError('penalty must be a whole number from 0 to 1000');
  return penalty;
}

/** The queue member interface that rings a number through the outbound routes. */
export function localInterface(number: string, context: string): string {
  return `Local/${number}@${context}/n`;
}
