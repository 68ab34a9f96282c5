import type { AmiClient } from './ami/client.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { NumberRules } from './numbers.ts';
import type { QueueDeps } from './queues/membership.ts';
import type { Store } from './store/redis.ts';
import type { OwnChangeHook } from './sync/own-changes.ts';

/** Everything the scripts, the CLI and the API share, built once in main. */
export interface Services {
  config: Config;
  ami: AmiClient;
  store: Store;
  numbers: NumberRules;
  log: Logger;
  /** Told of the member events each recorded change will cause, so the sync skips reconciling them (lib/sync/own-changes.ts). */
  ownChanges?: OwnChangeHook;
}

export function queueDeps(svc: Services, log: Logger = svc.log): QueueDeps {
  return {
    pbx: svc.ami,
    store: svc.store,
    log,
    limits: { toggleLimit: svc.config.queues.toggleLimit, toggleWindowSec: svc.config.queues.toggleWindowSec },
    ownChanges: svc.ownChanges,
  };
}
