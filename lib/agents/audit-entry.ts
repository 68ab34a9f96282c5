import type { Origin } from '../queues/membership.ts';
import type { AuditEntry } from '../store/audit.ts';

/** An audit entry about an agent, carrying who acted and from where. Never give it a PIN. */
export function agentAudit(origin: Origin, agentId: string, action: string, result: string, more: { queue?: string; detail?: string } = {}): AuditEntry {
  return {
    action, subject: agentId, result, queue: more.queue, detail: more.detail,
    source: origin.source, by: origin.by, channel: origin.channel, uniqueid: origin.uniqueid,
  };
}
