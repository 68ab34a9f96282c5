// Carries out an import plan through the same allowlist functions as
// `agentgate allow add` and `policy`, so every change is validated and audited
// as an administrator's; one summary entry records the import itself.
import type { AdminOrigin } from '../queues/allowlist.ts';
import { allowNumber, listAllowed, listAllowQueues, setPolicy } from '../queues/allowlist.ts';
import { appendAudit } from '../store/audit.ts';
import { storeOp, type Store } from '../store/redis.ts';
import type { Current, ImportPlan } from './plan.ts';

export async function readCurrent(store: Store, queues: readonly string[]): Promise<Current> {
  const names = new Set([...queues, ...(await listAllowQueues(store)).map((q) => q.queue)]);
  const allowed = new Map<string, Map<string, { penalty: number; name: string }>>();
  const policy = new Map<string, string | null>();
  for (const q of names) {
    allowed.set(q, new Map((await listAllowed(store, q)).map((e) => [e.number, { penalty: e.penalty, name: e.name }])));
    policy.set(q, await storeOp('get policy', () => store.redis.get(store.keys.policy(q))));
  }
  return { allowed, policy };
}

export async function applyImport(store: Store, plan: ImportPlan, origin: AdminOrigin, source: string): Promise<void> {
  for (const s of plan.steps) {
    if (s.kind === 'allow') await allowNumber(store, s.queue, { number: s.number, penalty: s.penalty, name: s.name }, origin);
    else await setPolicy(store, s.queue, s.policy, origin);
  }
  await appendAudit(store, {
    action: 'import-freepbx', subject: source, result: 'OK', source: origin.source, by: origin.by,
    detail: `${plan.steps.length} changes, ${plan.unchanged} unchanged, ${plan.refusals.length} refused`,
  });
}
