import { BadParamsError } from '../errors.ts';
import { storeOp, type Store } from './redis.ts';

/** Where a change comes from, for the audit trail and the logs. */
export interface Origin {
  /** auto: the service itself (the auto-pause and its cool-down). */
  source: 'fastagi' | 'cli' | 'api' | 'auto';
  /** The caller ID, or an admin's name. */
  by: string;
  channel?: string;
  uniqueid?: string;
}

/** Who changed what, where from, and how it ended. Never holds a PIN. */
export interface AuditEntry {
  /** login, logout, refuse, pause, unpause, force-logout, adopt, restore, ... */
  action: string;
  /** The number or agent id concerned. */
  subject: string;
  /** `number`: a number's own membership (not an agent's binding): the live feed need not re-read the bindings. */
  kind?: 'number';
  queue?: string;
  /** The outcome word: OK, REFUSED, ERROR, LOCKED_OUT, ... */
  result: string;
  /** fastagi, cli, api, asterisk (seen in AMI events), resync. */
  source: string;
  /** Who acted: the caller ID, an admin name, or an AMI event's origin. */
  by?: string;
  channel?: string;
  uniqueid?: string;
  detail?: string;
}

/** An entry about a subject (number or agent), carrying who acted and from where. Never give it a PIN. */
export function auditBy(origin: Origin, subject: string, action: string, result: string, more: { queue?: string; detail?: string; kind?: AuditEntry['kind'] } = {}): AuditEntry {
  return {
    action, subject, result, queue: more.queue, detail: more.detail, ...(more.kind ? { kind: more.kind } : {}),
    source: origin.source, by: origin.by, channel: origin.channel, uniqueid: origin.uniqueid,
  };
}

export interface AuditRecord extends AuditEntry {
  id: string;
  /** ms since the epoch, from the stream id. */
  at: number;
}

/** The entry as XADD field/value pairs, empty fields left out. */
export function auditFields(entry: AuditEntry): string[] {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(entry)) if (v !== undefined && v !== '') fields.push(k, String(v));
  return fields;
}

export async function appendAudit(store: Store, entry: AuditEntry): Promise<string> {
  const fields = auditFields(entry);
  return storeOp('audit append', async () =>
    (await store.redis.xadd(store.keys.audit(), 'MAXLEN', '~', String(store.auditMaxLen), '*', ...fields)) as string);
}

const U64_MAX = 2n ** 64n - 1n;

// Checked here, not left to Redis: a bad id is the caller's mistake (BAD_PARAMS),
// and Redis's own error would read as the store failing. Both halves of a stream
// id are unsigned 64-bit, and nothing lies before 0-0 (Redis refuses "(0-0").
function checkBefore(before: string): void {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(before);
  const ms = m ? BigInt(m[1]!) : -1n;
  const seq = m ? BigInt(m[2]!) : -1n;
  if (ms < 0n || ms > U64_MAX || seq > U64_MAX) throw new BadParamsError('before must be an audit entry id, <ms>-<seq>');
  if (ms === 0n && seq === 0n) throw new BadParamsError('before=0-0: no entry lies before the first possible id');
}

/** Newest first; `before` is an id from a previous page. Throws BadParamsError for a count outside 1..1000 or a malformed `before`. */
export async function readAudit(store: Store, opts: { count?: number; before?: string } = {}): Promise<AuditRecord[]> {
  const count = opts.count ?? 50;
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new BadParamsError('count must be a whole number from 1 to 1000');
  if (opts.before !== undefined) checkBefore(opts.before);
  const end = opts.before ? `(${opts.before}` : '+';
  const rows = await storeOp('audit read', () => store.redis.xrevrange(store.keys.audit(), end, '-', 'COUNT', count));
  return rows.map(([id, flat]) => {
    const rec: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) rec[flat[i]!] = flat[i + 1]!;
    return { ...(rec as unknown as AuditEntry), id, at: Number(id.split('-')[0]) };
  });
}
