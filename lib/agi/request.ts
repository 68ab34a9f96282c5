// What a script needs to know about the call, from the parsed environment.
// Asterisk's AGI() splits its argument at every comma before the URL is sent:
// `AGI(agi://host/queue-toggle?queue=8008,8009)` arrives as agi_network_script
// `queue-toggle?queue=8008` and agi_arg_1 `8009` (agi-session.log records the
// split). agentgate's scripts take no positional arguments, so what follows a
// query string is that query string, cut: it is put back together here, once,
// and `queue=8008,8009` means both queues. A value the split mangled in a way
// that cannot be put back (quotes or backslashes Asterisk removed) is then
// refused by the script's own checks, before anything is changed.
import { BadParamsError } from '../errors.ts';
import { argsFromEnvironment } from './environment.ts';

export interface AgiRequest {
  /** 'queue-toggle' */
  script: string;
  /** From the query string as the dialplan wrote it (split arguments rejoined), percent-decoded. */
  params: Record<string, string>;
  /** agi_arg_1..N, as Asterisk sent them. */
  args: string[];
  /** All agi_* values, whole. */
  env: Record<string, string>;
  callerId: string;
  callerIdName: string;
  channel: string;
  uniqueid: string;
  context: string;
  extension: string;
  remoteAddress: string;
}

/**
 * Splits `capture?queue=8008&x=a:b` into the script name and its parameters.
 * Percent-decoding only: '+' stays '+' (a phone number), it is not a space.
 * Throws BadParamsError on bad percent-encoding or a parameter given twice.
 */
export function parseNetworkScript(value: string): { script: string; params: Record<string, string> } {
  const q = value.indexOf('?');
  const script = q < 0 ? value : value.slice(0, q);
  const params: Record<string, string> = Object.create(null);
  if (q < 0) return { script, params };
  for (const piece of value.slice(q + 1).split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decode(eq < 0 ? piece : piece.slice(0, eq));
    if (name in params) throw new BadParamsError(`query parameter ${JSON.stringify(name)} is given twice`);
    params[name] = eq < 0 ? '' : decode(piece.slice(eq + 1));
  }
  return { script, params };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new BadParamsError(`query string holds bad percent-encoding: ${JSON.stringify(s)}`);
  }
}

// Asterisk before agi_network_script existed only sent agi_request: agi://host[:port]/script?query
function scriptSpec(env: Record<string, string>): string {
  if (env.agi_network_script !== undefined) return env.agi_network_script;
  const m = /^agi:\/\/[^/]*\/(.*)$/.exec(env.agi_request ?? '');
  return m?.[1] ?? '';
}

/** `s?queue=8008` and ['8009&prompts=no'] -> `s?queue=8008,8009&prompts=no`: the URL as the dialplan wrote it. */
export function rejoinSplitQuery(spec: string, args: readonly string[]): string {
  return args.length > 0 && spec.includes('?') ? [spec, ...args].join(',') : spec;
}

/**
 * Builds the request. Never throws: bad query parameters come back as `error`
 * (with `params` empty) so the router can still answer the dialplan.
 */
export function buildRequest(env: Record<string, string>, remoteAddress: string): { request: AgiRequest; error?: BadParamsError } {
  const args = argsFromEnvironment(env);
  const spec = rejoinSplitQuery(scriptSpec(env), args);
  let parsed: { script: string; params: Record<string, string> };
  let error: BadParamsError | undefined;
  try {
    parsed = parseNetworkScript(spec);
  } catch (err) {
    if (!(err instanceof BadParamsError)) throw err;
    error = err;
    parsed = { script: spec.split('?')[0] ?? '', params: Object.create(null) };
  }
  const request: AgiRequest = {
    script: parsed.script,
    params: parsed.params,
    args,
    env,
    callerId: env.agi_callerid ?? '',
    callerIdName: env.agi_calleridname ?? '',
    channel: env.agi_channel ?? '',
    uniqueid: env.agi_uniqueid ?? '',
    context: env.agi_context ?? '',
    extension: env.agi_extension ?? '',
    remoteAddress,
  };
  return error ? { request, error } : { request };
}
