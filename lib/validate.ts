// Checks for every name and value that comes from outside (the dialplan's
// query string, the keypad, the CLI, the API, caller ID) and ends up in Redis
// keys, AMI headers or Asterisk's astdb. Each is held to the narrowest shape
// that serves; a bad one is refused with BadParamsError and nothing is changed.
// Member names also end up in Asterisk's astdb copy (Queue/PersistentMembers),
// which splits on ';', ',' and '|' and corrupts a name holding them on restore
// (see shared/asterisk/README.md).
import { BadParamsError } from './errors.ts';

export interface QueuePenalty {
  queue: string;
  penalty: number;
}

/** Queues one agent may belong to; far above any real call centre, low enough to bound a record. */
export const MAX_AGENT_QUEUES = 100;

/** Agent ids are keyed on a phone keypad: 1 to 20 digits, kept as text ("007" is not "7"). */
export function validateAgentId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) throw new BadParamsError('agent id must be 1 to 20 digits');
}

/**
 * A display name becomes the queue member name. Asterisk stores dynamic members
 * in astdb as `iface;penalty;paused;name;...` joined with `|`, and a name
 * holding `;`, `,` or `|` comes back corrupted after a restart
 * (../shared/asterisk/README.md). Control and format characters (CR, LF, NUL,
 * bidi overrides) would reach the AMI wire or mislead whoever reads a listing.
 */
export function validateAgentName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new BadParamsError('name must be text');
  if (name.trim() === '') throw new BadParamsError('name must not be empty');
  if (name !== name.trim()) throw new BadParamsError('name must not start or end with spaces');
  if ([...name].length > 64) throw new BadParamsError('name must be at most 64 characters');
  if (/[\p{C}\p{Zl}\p{Zp}]/u.test(name)) throw new BadParamsError('name must not contain control characters or line breaks');
  if (/[;,|]/.test(name)) throw new BadParamsError('name must not contain ";", "," or "|" (Asterisk corrupts them)');
}

export function validateQueueName(queue: unknown): asserts queue is string {
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(queue)) {
    throw new BadParamsError('queue name must be 1 to 64 letters, digits, "_" or "-"');
  }
}

/** Returns a clean copy: each queue once, penalties whole numbers 0 to 1000. */
export function validateQueues(queues: unknown): QueuePenalty[] {
  if (!Array.isArray(queues)) throw new BadParamsError('queues must be a list');
  if (queues.length > MAX_AGENT_QUEUES) throw new BadParamsError(`an agent may be in at most ${MAX_AGENT_QUEUES} queues`);
  const seen = new Set<string>();
  return queues.map((q: unknown) => {
    const { queue, penalty } = (q ?? {}) as { queue?: unknown; penalty?: unknown };
    validateQueueName(queue);
    const name = queueName(queue);
    if (typeof penalty !== 'number' || !Number.isInteger(penalty) || penalty < 0 || penalty > 1000) {
      throw new BadParamsError(`penalty for queue ${queue} must be a whole number from 0 to 1000`);
    }
    if (seen.has(name)) throw new BadParamsError(`queue ${queue} is listed twice`);
    seen.add(name);
    return { queue: name, penalty };
  });
}

/** A mobile number in canonical digits-only form (E.164 without "+" is at most 15). */
export function validateMobile(mobile: unknown): asserts mobile is string {
  if (typeof mobile !== 'string' || !/^\d{3,15}$/.test(mobile)) throw new BadParamsError('mobile must be 3 to 15 digits');
}

/**
 * A phone is the canonical identifier the binding is keyed on: an extension
 * (`1001`) or a mobile (`79112223344`). Kept to a shape that cannot collide
 * with the key separator or smuggle anything into a key.
 */
export function validatePhone(phone: unknown): asserts phone is string {
  if (typeof phone !== 'string' || !/^[A-Za-z0-9_.+-]{1,64}$/.test(phone)) {
    throw new BadParamsError('phone must be 1 to 64 letters, digits, "_", ".", "+" or "-"');
  }
}

/** An Asterisk queue member interface (`PJSIP/1001`, `Local/79112223344@outbound-allroutes/n`): visible ASCII, no spaces. */
export function validateInterface(iface: unknown): asserts iface is string {
  if (typeof iface !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(iface)) {
    throw new BadParamsError('interface must be 1 to 128 visible ASCII characters without spaces');
  }
}

/**
 * A queue's name in the one form agentgate keeps it (allowlists, records,
 * accounts, locks, dialplan variables): Asterisk finds queues without case
 * (app_queue's hash and compare functions), so `Sales` and `sales` are one.
 */
export function queueName(queue: string): string {
  return queue.toLowerCase();
}

const CONTEXT = /^[A-Za-z0-9_-]{1,80}$/;

/** A queue name checked, in the form agentgate keeps it (lower case: Asterisk ignores case). */
export function validQueue(queue: string): string {
  validateQueueName(queue);
  return queueName(queue);
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
