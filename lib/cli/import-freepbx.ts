// `agentgate import freepbx [--dry-run] [--from-stdin]`: FreePBX's queue
// agents and penalties (astdb QPENALTY) into the allowlists (lib/freepbx).
import { applyImport, readCurrent } from '../freepbx/apply.ts';
import { describeStep, planImport } from '../freepbx/plan.ts';
import { treeFromAmi, treeFromText } from '../freepbx/source.ts';
import type { QpenaltyTree } from '../freepbx/qpenalty.ts';
import type { Services } from '../services.ts';
import { validQueue } from '../validate.ts';
import { UsageError } from './context.ts';
import type { Out } from './queue-commands.ts';

export const IMPORT_USAGE = `  import freepbx [--dry-run] [--from-stdin]                FreePBX's queue agents and penalties (astdb QPENALTY) into the allowlists;
                                                           --from-stdin reads the text of: asterisk -rx "database show QPENALTY"`;

export interface ImportOpts {
  'dry-run'?: string | boolean;
  'from-stdin'?: string | boolean;
}

export function importNeedsAmi(args: string[], opts: ImportOpts): boolean {
  return args[0] === 'freepbx' && !opts['from-stdin'];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function importCmd(svc: Services, out: Out, args: string[], opts: ImportOpts): Promise<void> {
  if (args[0] !== 'freepbx' || args.length > 1) throw new UsageError('import freepbx [--dry-run] [--from-stdin]');
  const dry = Boolean(opts['dry-run']);
  const source = opts['from-stdin'] ? 'stdin' : 'ami';
  const tree: QpenaltyTree = source === 'stdin' ? treeFromText(await readStdin()) : await treeFromAmi(svc.ami);
  const queues = tree.queues.flatMap((q) => {
    try {
      return [validQueue(q.queue)];
    } catch {
      return [];
    }
  });
  const plan = planImport(tree, await readCurrent(svc.store, queues), svc.numbers);
  out(`FreePBX (${source === 'stdin' ? 'database show QPENALTY from standard input' : 'astdb over AMI'}): ${tree.queues.length} queues, ${tree.queues.reduce((n, q) => n + q.agents.length, 0)} agents`);
  if (plan.steps.length) {
    out(dry ? 'would change:' : 'changed:');
    for (const s of plan.steps) out(`  ${describeStep(s)}`);
  }
  if (plan.refusals.length) {
    out('refused:');
    for (const r of plan.refusals) out(`  ${r.queue} ${r.member}: ${r.reason}`);
  }
  for (const note of plan.notes) out(`note: ${note}`);
  if (tree.ignored.length) out(`note: ${tree.ignored.length} other QPENALTY keys left alone (${tree.ignored.slice(0, 5).join(', ')}${tree.ignored.length > 5 ? ', ...' : ''})`);
  // Nothing to change writes nothing, not even an audit entry: a re-run is a no-op.
  if (!dry && plan.steps.length) {
    await applyImport(svc.store, plan, { source: 'cli', by: process.env.SUDO_USER || process.env.USER || 'cli' }, source === 'stdin' ? 'freepbx-stdin' : 'freepbx-ami');
  }
  out(`${plan.steps.length} ${dry ? 'would change (dry run: nothing written)' : 'changed'}, ${plan.unchanged} unchanged, ${plan.refusals.length} refused`);
}
