// Picks the script named by the request and runs it. A failure is told to the
// dialplan the same way whatever caused it: AGENTGATE_RESULT=ERROR and
// AGENTGATE_ERROR=<code> (the AppError's code, UNKNOWN_SCRIPT, or INTERNAL for
// anything we did not foresee). One log line says why; the server goes on.
import { AppError, type BadParamsError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AgiChannel } from './channel.ts';
import { AgiClosedError, AgiDeadChannelError, AgiHangupError, AgiTimeoutError } from './errors.ts';

export type AgiScript = (ch: AgiChannel, log: Logger) => Promise<void>;

export type ScriptOutcome = 'ok' | 'error' | 'unknown-script' | 'bad-params' | 'hangup' | 'closed' | 'timeout';

export const RESULT_VARIABLE = 'AGENTGATE_RESULT';
export const ERROR_VARIABLE = 'AGENTGATE_ERROR';

/** What AGENTGATE_ERROR says for an error a script let escape. */
export function errorCode(err: unknown): string {
  return err instanceof AppError ? err.code : 'INTERNAL';
}

function outcomeOf(err: unknown): ScriptOutcome {
  if (err instanceof AgiHangupError || err instanceof AgiDeadChannelError) return 'hangup';
  if (err instanceof AgiClosedError) return 'closed';
  if (err instanceof AgiTimeoutError) return 'timeout';
  if (err instanceof AppError && err.code === 'BAD_PARAMS') return 'bad-params';
  return 'error';
}

export async function runScript(
  ch: AgiChannel,
  scripts: Record<string, AgiScript>,
  log: Logger,
  requestError?: BadParamsError,
): Promise<{ outcome: ScriptOutcome; code?: string }> {
  if (requestError) {
    log.warn({ code: requestError.code, reason: requestError.message }, 'bad request parameters');
    await reportError(ch, requestError.code, log);
    return { outcome: 'bad-params', code: requestError.code };
  }
  // Own properties only: the name comes from the wire and must not find `constructor` or `__proto__`.
  const name = ch.request.script;
  const script = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
  if (!script) {
    log.warn('unknown script');
    await reportError(ch, 'UNKNOWN_SCRIPT', log);
    return { outcome: 'unknown-script', code: 'UNKNOWN_SCRIPT' };
  }
  try {
    await script(ch, log);
    return { outcome: 'ok' };
  } catch (err) {
    const code = errorCode(err);
    const outcome = outcomeOf(err);
    if (code === 'INTERNAL') log.error({ err, code }, 'script failed');
    else if (outcome === 'hangup' || outcome === 'closed') log.info({ code, reason: (err as Error).message }, 'script stopped: the call is gone');
    else log.warn({ code, reason: (err as Error).message }, 'script failed');
    await reportError(ch, code, log);
    return { outcome, code };
  }
}

// Best effort: on a closed socket there is nobody to tell. SET VARIABLE works on a dead channel.
async function reportError(ch: AgiChannel, code: string, log: Logger): Promise<void> {
  if (ch.closed) return;
  try {
    await ch.setVariable(RESULT_VARIABLE, 'ERROR');
    await ch.setVariable(ERROR_VARIABLE, code);
  } catch (err) {
    log.debug({ reason: (err as Error).message }, 'could not tell the dialplan about the error');
  }
}
