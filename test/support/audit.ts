import { readAudit, type AuditRecord } from '../../lib/store/audit.ts';
import type { Store } from '../../lib/store/redis.ts';

const ALLOWLIST_ACTIONS = new Set(['allow', 'disallow', 'policy']);

/** The audit trail without the allowlist set-up a test made: what members did. */
export async function memberAudit(store: Store, count = 100): Promise<AuditRecord[]> {
  return (await readAudit(store, { count })).filter((a) => !ALLOWLIST_ACTIONS.has(a.action));
}
