import { allowNumber, disallowNumber, listAllowed, listAllowQueues, setPolicy, type QueuePolicy } from '../queues/allowlist.ts';
import { changeMembership, logoutEverywhere } from '../queues/membership.ts';
import { pauseNumber } from '../queues/pause.ts';
import { type Origin, readAudit } from '../store/audit.ts';
import { listMemberRecords } from '../members/records.ts';
import { parseQueueList, validContext, validQueue } from '../validate.ts';
import { canonicalNumber } from '../numbers.ts';
import { queueDeps, type Services } from '../services.ts';
import { UsageError } from './context.ts';

export interface Out {
  (line: string): void;
}

function adminOrigin(): Origin & { source: 'cli' } {
  return { source: 'cli', by: process.env.SUDO_USER || process.env.USER || 'cli' };
}

function int(v: string | undefined, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`${what} must be a whole number`);
  return Number(v);
}

export async function allowCmd(svc: Services, out: Out, args: string[], opts: { penalty?: string; name?: string; wrapup?: string; 'no-confirm'?: boolean }): Promise<void> {
  const [sub, queue, raw] = args;
  if (sub === 'list') {
    const queues = queue ? [{ queue: validQueue(queue), policy: undefined }] : await listAllowQueues(svc.store);
    for (const q of queues) {
      out(`queue ${q.queue}${q.policy ? ` (policy ${q.policy})` : ''}`);
      for (const e of await listAllowed(svc.store, q.queue)) out(`  ${e.number}\tpenalty ${e.penalty}\t${e.name}${e.wrapup ? `\twrap-up ${e.wrapup}s` : ''}${e.confirm === false ? '\tno confirm' : ''}`);
    }
    return;
  }
  if ((sub !== 'add' && sub !== 'remove') || !queue || !raw) throw new UsageError('allow add|remove <queue> <number> [--penalty N] [--name NAME] [--wrapup SEC] [--no-confirm] | allow list [queue]');
  const number = canonicalNumber(raw, svc.numbers);
  if (sub === 'add') {
    const penalty = int(opts.penalty, '--penalty', 0);
    const wrapup = int(opts.wrapup, '--wrapup', 0);
    await allowNumber(svc.store, validQueue(queue), { number, penalty, name: opts.name ?? number, ...(wrapup ? { wrapup } : {}), ...(opts['no-confirm'] ? { confirm: false as const } : {}) }, adminOrigin());
    out(`allowed ${number} in ${queue} with penalty ${penalty}`);
  } else {
    out((await disallowNumber(svc.store, validQueue(queue), number, adminOrigin())) ? `removed ${number} from the list of ${queue}` : `${number} was not listed for ${queue}`);
  }
}

export async function policyCmd(svc: Services, out: Out, args: string[]): Promise<void> {
  const [queue, policy] = args;
  if (!queue || (policy !== 'open' && policy !== 'list')) throw new UsageError('policy <queue> open|list');
  await setPolicy(svc.store, validQueue(queue), policy as QueuePolicy, adminOrigin());
  out(`queue ${queue}: policy ${policy}`);
}

export async function membersCmd(svc: Services, out: Out, args: string[]): Promise<void> {
  const queue = args[0] ? validQueue(args[0]) : undefined;
  const { members } = await svc.ami.queueStatus(queue ? { queue } : {});
  const recorded = new Map((await listMemberRecords(svc.store, queue)).map((m) => [`${m.queue}|${m.interface}`, m]));
  for (const m of members) {
    const rec = recorded.get(`${m.queue}|${m.interface}`);
    const origin = rec ? rec.source : m.membership === 'dynamic' ? 'unknown to agentgate' : m.membership;
    out(`${m.queue}\t${m.interface}\t${m.name}\tpenalty ${m.penalty}${m.paused ? `\tpaused${m.pausedReason ? ` (${m.pausedReason})` : ''}` : ''}\t[${origin}]`);
  }
}

export async function loginCmd(svc: Services, out: Out, args: string[], opts: { context?: string }, op: 'login' | 'logout'): Promise<void> {
  const [raw, queueArg] = args;
  if (!raw || (op === 'login' && !queueArg)) throw new UsageError(`${op} <number> ${op === 'login' ? '<queue[,queue]>' : '[queue[,queue]]'} [--context C]`);
  const number = canonicalNumber(raw, svc.numbers);
  const context = validContext(opts.context ?? svc.config.queues.memberContext);
  const deps = queueDeps(svc);
  const res = queueArg
    ? await changeMembership(deps, { op, number, queues: parseQueueList(queueArg), context, origin: adminOrigin() })
    : await logoutEverywhere(deps, number, context, adminOrigin());
  out(`${number}: ${res.state}${res.queues.length ? ` (${res.queues.map((q) => `${q.queue} ${q.before}->${q.after}`).join(', ')})` : ' (in no queue)'}`);
}

export async function auditCmd(svc: Services, out: Out, opts: { count?: string }): Promise<void> {
  for (const r of (await readAudit(svc.store, { count: int(opts.count, '--count', 20) })).reverse()) {
    out(`${new Date(r.at).toISOString()}\t${r.action}\t${r.subject}\t${r.queue ?? '-'}\t${r.result}\t${r.source}${r.by ? ` by ${r.by}` : ''}${r.detail ? `\t${r.detail}` : ''}`);
  }
}

export async function pauseCmd(svc: Services, out: Out, args: string[], opts: { queue?: string; reason?: string; context?: string }, mode: 'pause' | 'unpause'): Promise<void> {
  const [raw, extra] = args;
  if (!raw || extra !== undefined || (mode === 'unpause' && opts.reason !== undefined)) {
    throw new UsageError(mode === 'pause' ? 'pause <number> [--queue Q] [--reason R] [--context C]' : 'unpause <number> [--queue Q] [--context C]');
  }
  const number = canonicalNumber(raw, svc.numbers);
  const context = validContext(opts.context ?? svc.config.queues.memberContext);
  const res = await pauseNumber(queueDeps(svc), {
    number, context, mode, origin: adminOrigin(),
    ...(opts.queue !== undefined ? { queue: validQueue(opts.queue) } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  });
  out(`${number}: ${res.paused ? `PAUSED${res.reason ? ` (${res.reason})` : ''}` : 'UNPAUSED'}; paused in ${res.pausedQueues.join(',') || 'no queue'}`);
}
