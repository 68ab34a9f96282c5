// How every script answers: channel variables first, then the prompts, and
// for a failure REFUSED/ERROR with its code and the matching sound.
import type { AgiChannel } from '../agi/channel.ts';
import { AgiClosedError, AgiDeadChannelError, AgiHangupError } from '../agi/errors.ts';
import { fitsOneCommand, MAX_COMMAND_BYTES } from '../agi/quote.ts';
import type { Logger } from '../log.ts';
import { failureOf, OK, type ScriptResult } from './outcome.ts';

export type Prompt = { file: string } | { digits: string };

export interface CallerReply {
  /** Channel variables, set first: they matter to the dialplan even when the caller is gone. */
  vars: Record<string, string>;
  prompts: Prompt[];
}

/** `prompts=no` (or off, 0, false) leaves the sounds to the dialplan. */
export function promptsWanted(params: Record<string, string>): boolean {
  return !/^(no|off|0|false)$/i.test(params.prompts ?? '');
}

/**
 * Sets the variables, then plays the prompts. A caller who hung up misses the
 * prompts and nothing else: the change they asked for stands.
 */
export async function replyToCaller(ch: AgiChannel, log: Logger, reply: CallerReply, withPrompts: boolean): Promise<void> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.vars)) {
    const fitted = fitVariable(name, value);
    if (fitted !== value) log.warn({ variable: name, bytes: Buffer.byteLength(value), kept: Buffer.byteLength(fitted) }, 'variable cut to fit one AGI command');
    vars[name] = fitted;
  }
  await ch.setVariables(vars);
  if (!withPrompts) return;
  try {
    for (const p of reply.prompts) {
      if (ch.hungUp) return;
      if ('file' in p) await ch.streamFile(p.file);
      else await ch.sayDigits(p.digits);
    }
  } catch (err) {
    if (err instanceof AgiDeadChannelError || err instanceof AgiHangupError || err instanceof AgiClosedError) {
      log.info('caller hung up during the prompts; the change stands');
      return;
    }
    throw err;
  }
}

/** What a long value ends with when it had to be cut. */
export const CUT_MARKER = '...';

/**
 * The value, or as much of it as one SET VARIABLE line carries (about 2 KB),
 * ending with CUT_MARKER: a comma list loses whole items from its end. The
 * work is done by now; a result too long to tell whole must not turn into ERROR.
 */
export function fitVariable(name: string, value: string): string {
  // Nearly every value is short: quoted, a UTF-16 unit is at most 3 bytes, so it fits without being formatted.
  if (3 * (name.length + value.length) + 32 <= MAX_COMMAND_BYTES && !/[\r\n\0]/.test(value)) return value;
  const fits = (v: string) => fitsOneCommand('SET VARIABLE', [name, v]);
  if (fits(value)) return value;
  const items = value.split(',');
  while (items.length > 1) {
    items.pop();
    const v = `${items.join(',')},${CUT_MARKER}`;
    if (fits(v)) return v;
  }
  let v = value;
  while (v.length > 0 && !fits(v + CUT_MARKER)) v = v.slice(0, Math.max(0, v.length - 16));
  return v + CUT_MARKER;
}

/**
 * Runs one script's work and answers the caller either way: the reply the work
 * returns, or REFUSED/ERROR with a code and the matching prompt. `failVars`
 * adds the script's own variables for a failure (QUEUESTAT=ERROR, ...), so the
 * dialplan never takes a failure for a state. Returns the outcome, for the
 * session's log line and the metrics.
 */
export async function answer(
  ch: AgiChannel,
  log: Logger,
  work: () => Promise<CallerReply>,
  failVars: (word: 'REFUSED' | 'ERROR') => Record<string, string> = () => ({}),
): Promise<ScriptResult> {
  const withPrompts = promptsWanted(ch.request.params);
  let reply: CallerReply;
  let result = OK;
  try {
    reply = await work();
  } catch (err) {
    const f = failureOf(err);
    const line = { outcome: f.result.result, code: f.code, reason: (err as Error).message };
    if (f.code === 'INTERNAL') log.error({ ...line, err }, 'script failed');
    else log.info(line, f.word === 'REFUSED' ? 'refused' : 'failed');
    reply = { vars: { AGENTGATE_RESULT: f.word, AGENTGATE_ERROR: f.code, ...failVars(f.word) }, prompts: [{ file: f.prompt }] };
    result = f.result;
  }
  await replyToCaller(ch, log, reply, withPrompts);
  return result;
}
