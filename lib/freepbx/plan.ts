// What an import would change: FreePBX's lists against agentgate's. Pure.
// Numbers are made canonical as the service makes caller IDs (so a member
// matches the caller who dials in); whatever cannot be imported is refused
// with its reason, never dropped in silence. Re-planning after the changes
// are applied gives no changes.
import { canonicalNumber, type NumberRules } from '../numbers.ts';
import { validPenalty, validQueue } from '../validate.ts';
import { memberNumber, type QpenaltyTree } from './qpenalty.ts';

export interface Current {
  /** queue -> number -> entry */
  allowed: ReadonlyMap<string, ReadonlyMap<string, { penalty: number; name: string }>>;
  /** queue -> the stored policy, null when none was set. */
  policy: ReadonlyMap<string, string | null>;
}

export type Step =
  | { kind: 'allow'; queue: string; number: string; penalty: number; name: string; member: string; before?: number }
  | { kind: 'policy'; queue: string; policy: 'list'; before: string | null };

export interface Refusal {
  queue: string;
  member: string;
  reason: string;
}

export interface ImportPlan {
  steps: Step[];
  refusals: Refusal[];
  /** Imported as they are already: nothing to do. */
  unchanged: number;
  /** Things worth telling that change nothing. */
  notes: string[];
}

export function planImport(tree: QpenaltyTree, current: Current, rules: NumberRules): ImportPlan {
  const plan: ImportPlan = { steps: [], refusals: [], unchanged: 0, notes: [] };
  for (const fq of tree.queues) {
    let queue: string;
    try {
      queue = validQueue(fq.queue);
    } catch (err) {
      for (const a of fq.agents) plan.refusals.push({ queue: fq.queue, member: a.member, reason: (err as Error).message });
      if (!fq.agents.length) plan.refusals.push({ queue: fq.queue, member: '-', reason: (err as Error).message });
      continue;
    }
    const have = current.allowed.get(queue) ?? new Map();
    const seen = new Map<string, { member: string; penalty: number }>();
    for (const a of fq.agents) {
      let number: string;
      let penalty: number;
      try {
        number = canonicalNumber(memberNumber(a.member), rules);
      } catch (err) {
        plan.refusals.push({ queue, member: a.member, reason: (err as Error).message });
        continue;
      }
      try {
        if (!/^\d+$/.test(a.penalty.trim())) throw new Error(`penalty ${JSON.stringify(a.penalty)} is not a whole number`);
        penalty = validPenalty(Number(a.penalty.trim()));
      } catch (err) {
        plan.refusals.push({ queue, member: a.member, reason: (err as Error).message });
        continue;
      }
      const dup = seen.get(number);
      if (dup) {
        if (dup.penalty !== penalty) plan.refusals.push({ queue, member: a.member, reason: `${number} is listed already as ${dup.member} with penalty ${dup.penalty}` });
        continue;
      }
      seen.set(number, { member: a.member, penalty });
      const existing = have.get(number);
      if (existing && existing.penalty === penalty) {
        plan.unchanged += 1;
        continue;
      }
      // A name set in agentgate is kept; FreePBX has none for dynamic members.
      plan.steps.push({ kind: 'allow', queue, number, penalty, name: existing?.name ?? number, member: a.member, ...(existing ? { before: existing.penalty } : {}) });
    }
    const before = current.policy.get(queue) ?? null;
    if (fq.dynmemberonly !== undefined && /^yes$/i.test(fq.dynmemberonly.trim())) {
      if (before === 'list') plan.unchanged += 1;
      else plan.steps.push({ kind: 'policy', queue, policy: 'list', before });
    } else if (before !== 'open') {
      plan.notes.push(`queue ${queue}: FreePBX lets any agent log in (dynmemberonly ${fq.dynmemberonly ?? 'unset'}); agentgate keeps its list, so only listed numbers get in (agentgate policy ${queue} open lets any caller in, on purpose only)`);
    }
  }
  return plan;
}

export function describeStep(s: Step): string {
  if (s.kind === 'policy') return `policy ${s.queue}: ${s.before ?? 'unset'} -> list (FreePBX dynmemberonly yes)`;
  return s.before === undefined
    ? `allow ${s.queue} ${s.number} penalty ${s.penalty}${s.member !== s.number ? ` (from ${s.member})` : ''}`
    : `allow ${s.queue} ${s.number} penalty ${s.before} -> ${s.penalty}`;
}
