// Everything the scripts, the CLI and the API share, built once in main, and
// the per-call dependencies each domain verb takes, cut from it. The domain
// never imports this: it is given its deps.
import type { AgentDeps } from './agents/deps.ts';
import type { AmiClient } from './ami/client.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { MemberMirror } from './asterisk/pbx.ts';
import type { OwnChangeHook } from './members/change.ts';
import type { NumberRules } from './numbers.ts';
import type { QueueDeps } from './queues/membership.ts';
import type { Store } from './store/redis.ts';

export interface Services {
  config: Config;
  ami: AmiClient;
  store: Store;
  numbers: NumberRules;
  log: Logger;
  /** Told of the member events each recorded change will cause, so the sync skips reconciling them (lib/sync/own-changes.ts). */
  ownChanges?: OwnChangeHook;
  /** The live model, for a number's change to decide from without a QueueStatus (lib/members/change.ts). */
  mirror?: MemberMirror;
  /** Rolls back an agent's unfinished changes before its next one (lib/sync/start.ts). */
  settleUnfinished?: (agentId: string) => Promise<void>;
}

export function queueDeps(svc: Services, log: Logger = svc.log): QueueDeps {
  return {
    pbx: svc.ami,
    store: svc.store,
    log,
    limits: { toggleLimit: svc.config.queues.toggleLimit, toggleWindowSec: svc.config.queues.toggleWindowSec },
    ownChanges: svc.ownChanges,
    members: svc.config.queues.members,
    ...(svc.mirror ? { mirror: svc.mirror } : {}),
  };
}

export function agentDeps(svc: Services, log: Logger = svc.log): AgentDeps {
  return {
    pbx: svc.ami,
    store: svc.store,
    log,
    compatGlobals: svc.config.agents.compatGlobals,
    pinLimits: { maxFailures: svc.config.agents.pinMaxFailures, lockoutSec: svc.config.agents.pinLockoutSec },
    ownChanges: svc.ownChanges,
    members: svc.config.queues.members,
    ...(svc.settleUnfinished ? { settleUnfinished: svc.settleUnfinished } : {}),
  };
}
