// What every agent flow is given, built once per call from the shared
// services: the flows never reach for a socket or the config themselves.
import type { Logger } from '../log.ts';
import type { QueuePbx } from '../queues/pbx.ts';
import type { Services } from '../services.ts';
import type { Store } from '../store/redis.ts';
import type { OwnChangeHook } from '../sync/own-changes.ts';
import type { AccountOptions } from './accounts.ts';
import type { CompatPbx } from './compat-globals.ts';
import type { PinGuardLimits } from './pin-guard.ts';

/** The part of Asterisk the agent flows use; AmiClient satisfies it. */
export interface AgentPbx extends QueuePbx, CompatPbx {}

export interface AgentDeps {
  pbx: AgentPbx;
  store: Store;
  log: Logger;
  /** Set and clear AGENTBYCALLERID_<phone> for old dialplans (AGENT_COMPAT_GLOBALS). */
  compatGlobals: boolean;
  pinLimits: PinGuardLimits;
  /** scrypt cost of PIN checks; the default unless a test lowers it. */
  accounts?: AccountOptions;
  /** Told, after each successful record and under the lock, of the member events the change caused (lib/sync/own-changes.ts). */
  ownChanges?: OwnChangeHook;
}

export function agentDeps(svc: Services, log: Logger = svc.log): AgentDeps {
  return {
    pbx: svc.ami,
    store: svc.store,
    log,
    compatGlobals: svc.config.agents.compatGlobals,
    pinLimits: { maxFailures: svc.config.agents.pinMaxFailures, lockoutSec: svc.config.agents.pinLockoutSec },
    ownChanges: svc.ownChanges,
  };
}
