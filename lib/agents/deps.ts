// What every agent flow is given (built once per call in lib/services.ts):
// the flows never reach for a socket or the config themselves.
import type { Pbx } from '../asterisk/pbx.ts';
import type { ChangeDeps } from '../members/change.ts';
import type { AccountOptions } from './accounts.ts';
import type { PinGuardLimits } from './pin-guard.ts';

export interface AgentDeps extends ChangeDeps {
  pbx: Pbx;
  /** Set and clear AGENTBYCALLERID_<phone> for old dialplans (AGENT_COMPAT_GLOBALS). */
  compatGlobals: boolean;
  pinLimits: PinGuardLimits;
  /** scrypt cost of PIN checks; the default unless a test lowers it. */
  accounts?: AccountOptions;
  /**
   * Rolls back what an earlier change of this agent left unfinished (a kill, a
   * lost reply), before a new one reads the agent's state: a change is never
   * planned on top of an unfinished one. The service's sync provides it.
   */
  settleUnfinished?: (agentId: string) => Promise<void>;
}
