// Is the service able to do its job right now, and if not, why. The HTTP
// listener (health-server.ts) serves it as /readyz; the admin API can reuse it.
import type { SyncStatus } from './sync/start.ts';
import { redisAnswers, type Store } from './store/redis.ts';

export interface HealthDeps {
  /** The FastAGI port is open and accepting sessions (false while shutting down). */
  fastagiListening(): boolean;
  ami: { readonly connected: boolean };
  store: Store;
  sync?: { status(): SyncStatus };
}

export interface Health {
  ready: boolean;
  /** One short sentence per failing check; empty when ready. */
  reasons: string[];
  checks: { fastagi: boolean; ami: boolean; redis: boolean };
  /** Informational: the last re-sync with Asterisk. Not a readiness condition (a failed one is retried). */
  sync?: SyncStatus;
}

/** Redis must answer a PING within this, or it counts as down. */
const REDIS_PING_MS = 500;

export async function checkHealth(deps: HealthDeps, pingMs = REDIS_PING_MS): Promise<Health> {
  const fastagi = deps.fastagiListening();
  const ami = deps.ami.connected;
  const redis = await redisAnswers(deps.store, pingMs);
  const reasons: string[] = [];
  if (!fastagi) reasons.push('FastAGI is not accepting sessions');
  if (!ami) reasons.push('AMI is not logged in to Asterisk');
  if (!redis) reasons.push(`Redis did not answer PING within ${pingMs} ms`);
  const health: Health = { ready: reasons.length === 0, reasons, checks: { fastagi, ami, redis } };
  if (deps.sync) health.sync = deps.sync.status();
  return health;
}
