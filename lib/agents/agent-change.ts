// Every change of an agent runs under its agent lock, and first rolls back
// what an earlier change of the same agent left unfinished (a process killed,
// a reply lost: its intent is still in Redis). A change planned on top of an
// unfinished one would be undone, or half undone, by the re-sync that comes
// later and cannot tell what happened in between.
import { withAgentLock } from '../store/lock.ts';
import type { AgentDeps } from './deps.ts';

export function withAgentChange<T>(deps: AgentDeps, agentId: string, fn: () => Promise<T>): Promise<T> {
  return withAgentLock(deps.store, agentId, async () => {
    await deps.settleUnfinished?.(agentId);
    return fn();
  });
}
