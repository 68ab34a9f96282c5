// The unfinished changes of one agent, rolled back now as the re-sync would:
// each intent of that subject is settled by a reconcile of its interfaces
// (under their locks). Called by the agent's next change before it reads
// anything (lib/agents/agent-change.ts), in the server and in the CLI.
import { intentInterfaces, listIntents } from '../store/intents.ts';
import { reconcile, type SyncDeps } from './reconcile.ts';

export async function settleUnfinishedOf(deps: SyncDeps, subject: string): Promise<void> {
  for (const intent of await listIntents(deps.store)) {
    if (intent.subject !== subject) continue;
    const interfaces = intentInterfaces(intent);
    if (interfaces.length) await reconcile(deps, { interfaces, mode: 'resync', by: 'unfinished-change', lamps: true });
  }
}
