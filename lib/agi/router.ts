// Picks the script named by the request from an explicit route table and runs
// it. A script answers the caller itself and returns its outcome; anything it
// lets escape is told to the dialplan the same way whatever caused it:
// AGENTGATE_RESULT=ERROR and AGENTGATE_ERROR=<code>. One log line says why; the
// server goes on. The outcome and code end up in the session's closing log
// line and in agentgate_fastagi_sessions_total.
import { errorCodeOf, type BadParamsError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AgiChannel } from './channel.ts';

/** What a script hands back: ok, or refused/error with the code the dialplan was given. */
export type ScriptResult = { result: 'ok' } | { result: 'refused' | 'error'; code: ErrorCode };

/** A script that returns nothing succeeded. */
export type AgiScript = (ch: AgiChannel, log: Logger) => Promise<ScriptResult | void>;

/** The route table: script name (the path of agi://host/<name>) to script. */
export type Routes = Readonly<Record<string, AgiScript>>;

export type ScriptOutcome = 'ok' | 'refused' | 'error' | 'hangup' | 'closed' | 'timeout';

export const RESULT_VARIABLE = 'AGENTGATE_RESULT';
export const ERROR_VARIABLE = 'AGENTGATE_ERROR';

// A failure that is the call going away, not the service failing.
const CALL_GONE: Partial<Record<ErrorCode, ScriptOutcome>> = {
  AGI_HANGUP: 'hangup',
  AGI_DEAD_CHANNEL: 'hangup',
  AGI_CLOSED: 'closed',
  AGI_TIMEOUT: 'timeout',
};

/** The session outcome of a script's result or escaped error. */
export function sessionOutcome(r: ScriptResult): { outcome: ScriptOutcome; code?: ErrorCode } {
  if (r.result === 'ok') return { outcome: 'ok' };
  return { outcome: CALL_GONE[r.code] ?? r.result, code: r.code };
}

export async function runScript(
  ch: AgiChannel,
  routes: Routes,
  log: Logger,
  requestError?: BadParamsError,
): Promise<{ outcome: ScriptOutcome; code?: ErrorCode }> {
  if (requestError) {
    log.warn({ code: requestError.code, reason: requestError.message }, 'bad request parameters');
    await reportError(ch, requestError.code, log);
    return { outcome: 'error', code: requestError.code };
  }
  // Own properties only: the name comes from the wire and must not find `constructor` or `__proto__`.
  const name = ch.request.script;
  const script = Object.hasOwn(routes, name) ? routes[name] : undefined;
  if (!script) {
    log.warn('unknown script');
    await reportError(ch, 'UNKNOWN_SCRIPT', log);
    return { outcome: 'error', code: 'UNKNOWN_SCRIPT' };
  }
  try {
    return sessionOutcome((await script(ch, log)) ?? { result: 'ok' });
  } catch (err) {
    // What escapes a script is told to the dialplan as ERROR, and counted so.
    const code = errorCodeOf(err);
    const end = sessionOutcome({ result: 'error', code });
    if (code === 'INTERNAL') log.error({ err, code }, 'script failed');
    else if (end.outcome === 'hangup' || end.outcome === 'closed') log.info({ code, reason: (err as Error).message }, 'script stopped: the call is gone');
    else log.warn({ code, reason: (err as Error).message }, 'script failed');
    await reportError(ch, code, log);
    return end;
  }
}

// Best effort: on a closed socket there is nobody to tell. SET VARIABLE and EXEC MSet work on a dead channel.
async function reportError(ch: AgiChannel, code: ErrorCode, log: Logger): Promise<void> {
  if (ch.closed) return;
  try {
    await ch.setVariables({ [RESULT_VARIABLE]: 'ERROR', [ERROR_VARIABLE]: code });
  } catch (err) {
    log.debug({ reason: (err as Error).message }, 'could not tell the dialplan about the error');
  }
}
