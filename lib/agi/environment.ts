// The `agi_*` block Asterisk sends when a FastAGI session starts. Asterisk does
// not escape it (shared/asterisk/agi-hostile-env.log): a caller name holding
// CR LF arrives as extra `key: value` lines in the middle of the block, with the
// CR left in the value. So a value is everything after the first ': ', kept
// exactly as sent; a line that is not `agi_<name>: value` is dropped and
// counted, never glued to another key; and a key that appears twice has been
// forged by such a line, so every copy of it is dropped (fail closed: we cannot
// tell the genuine one).

export interface ParsedEnvironment {
  /** agi_* values, whole. */
  env: Record<string, string>;
  /** Lines dropped: not `agi_<name>: value`, or a copy of a repeated key. */
  dropped: number;
  /** Keys that appeared more than once and were dropped. */
  repeated: string[];
}

const KEY = /^agi_[A-Za-z0-9_]+$/;

// Issue 15: the environment is kept for the whole session. Object.create(null)
// makes a dictionary-mode object in V8 (1.6 KB for Asterisk's 25 keys); an object
// made by a constructor whose prototype has a null prototype has the same
// lookups (nothing inherited) with fast properties: about 230 bytes.
function Env(): void {}
Env.prototype = Object.create(null) as object;
const NewEnv = Env as unknown as new () => Record<string, string>;

// Issue 15: lines are cut with indexOf and slice (no split array, no regex
// match array per line, no list per key): this runs for every call.
export function parseEnvironment(raw: string): ParsedEnvironment {
  // A null prototype: a key can never resolve to an Object.prototype member.
  let env = new NewEnv();
  let counts: Map<string, number> | undefined;
  let dropped = 0;
  for (let start = 0; start < raw.length; ) {
    let end = raw.indexOf('\n', start);
    if (end < 0) end = raw.length;
    if (end === start) break; // the empty line ends the block
    const sep = raw.indexOf(': ', start);
    const key = sep >= 0 && sep < end ? raw.slice(start, sep) : '';
    if (KEY.test(key)) {
      if (key in env) counts = (counts ?? new Map()).set(key, (counts?.get(key) ?? 1) + 1);
      else env[key] = raw.slice(sep + 2, end);
    } else dropped++;
    start = end + 1;
  }
  // In the order the keys first appeared.
  const repeated = counts ? Object.keys(env).filter((k) => counts.has(k)) : [];
  if (counts) {
    // Rare (a forged line): every copy of a repeated key goes, the first one too.
    const kept = new NewEnv();
    for (const key of Object.keys(env)) if (!counts.has(key)) kept[key] = env[key]!;
    for (const n of counts.values()) dropped += n;
    env = kept;
  }
  return { env, dropped, repeated };
}

/** agi_arg_1..N in order; stops at the first missing index. */
export function argsFromEnvironment(env: Record<string, string>): string[] {
  const args: string[] = [];
  for (let i = 1; ; i++) {
    const v = env[`agi_arg_${i}`];
    if (v === undefined) return args;
    args.push(v);
  }
}

/** Whether a parsed block is a FastAGI environment at all (it names a script). */
export function looksLikeAgiEnvironment(env: Record<string, string>): boolean {
  return env.agi_network_script !== undefined || env.agi_request !== undefined;
}
