// Every queue with an allowlist exists in Asterisk, with the settings that
// decide whether a mobile member works: ring-in-use (a mobile already on a
// queue call is rung again), the agent timeout (a ring longer than the
// mobile's voicemail pick-up connects callers to voicemail), the strategy.
import type { QueueParams } from '../ami/actions.ts';
import { fail, ok, warn, type Check } from './report.ts';
import { isTrue, type Sections } from './queues-conf.ts';

/** README: below the mobiles' voicemail pick-up; 15 s is safe. */
export const MAX_SAFE_TIMEOUT = 15;

export interface QueueSettings {
  ringinuse?: boolean;
  timeout?: number;
}

/** app_queue's defaults apply to what the file leaves out: ringinuse yes, timeout 15. */
export function settingsOf(conf: Sections | undefined, queue: string): QueueSettings | undefined {
  const s = conf?.get(queue.toLowerCase());
  if (!s) return undefined;
  const timeout = Number.parseInt(s.get('timeout') ?? '15', 10);
  return { ringinuse: s.has('ringinuse') ? isTrue(s.get('ringinuse')) : true, timeout: Number.isFinite(timeout) ? timeout : 15 };
}

export function queueCheck(queue: string, params: QueueParams | undefined, settings: QueueSettings | undefined): Check {
  const id = `queue:${queue}`;
  if (!params) {
    return fail(id, `queue ${queue}: has an allowlist but Asterisk has no such queue (its logins fail with NO_SUCH_QUEUE)`,
      `create queue ${queue} in FreePBX (Applications > Queues) and reload, or drop its list with agentgate allow remove`);
  }
  const shown = [`strategy ${params.strategy}`];
  const risks: string[] = [];
  const fixes: string[] = [];
  if (settings) {
    shown.push(`ringinuse ${settings.ringinuse ? 'yes' : 'no'}`, `timeout ${settings.timeout ?? '?'} s`);
    if (settings.ringinuse) {
      risks.push('ring-in-use is on: a mobile already on a queue call is rung again');
      fixes.push('Skip Busy Agents: a "(ringinuse=no)" choice');
    }
    if (settings.timeout !== undefined && (settings.timeout === 0 || settings.timeout > MAX_SAFE_TIMEOUT)) {
      risks.push(`agent timeout ${settings.timeout === 0 ? 'unlimited' : `${settings.timeout} s`}: voicemail of a mobile may answer queue calls`);
      fixes.push(`Agent Timeout ${MAX_SAFE_TIMEOUT} s or less`);
    }
  }
  const detail = `queue ${queue} (as Asterisk names it: ${params.queue}): ${shown.join(', ')}`;
  if (risks.length) return warn(id, `${detail}; ${risks.join('; ')}`, `in FreePBX, Applications > Queues > ${params.queue}: ${fixes.join(', ')}`);
  return ok(id, detail);
}

export function queuesConfCheck(dir: string, readable: boolean): Check | undefined {
  if (readable) return undefined;
  return warn('queues-conf', `queue settings: cannot read ${dir}/queues.conf, so ring-in-use, timeout and persistentmembers are not checked (AMI does not report them)`,
    'run agentgate doctor on the PBX, or pass --asterisk-etc <dir with queues.conf>');
}
