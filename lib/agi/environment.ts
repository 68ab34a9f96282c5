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

const LINE = /^(agi_[A-Za-z0-9_]+): ([\s\S]*)$/;

// Issue 15: the environment is kept for the whole session. Object.create(null)
// makes a dictionary-mode object in V8 (1.6 KB for Asterisk's 25 keys); an object
// made by a constructor whose prototype has a null prototype has the same
// lookups (nothing inherited) with fast properties: about 230 bytes.
function Env(): void {}
Env.prototype = Object.create(null) as object;

export function parseEnvironment(raw: string): ParsedEnvironment {
  const seen = new Map<string, string[]>();
  let dropped = 0;
  for (const line of raw.split('\n')) {
    if (line === '') break; // the empty line ends the block
    const m = LINE.exec(line);
    if (!m) {
      dropped++;
      continue;
    }
    const [, key = '', value = ''] = m;
    const values = seen.get(key);
    if (values) values.push(value);
    else seen.set(key, [value]);
  }
  // A null prototype: a key can never resolve to an Object.prototype member.
  const env = new (Env as unknown as new () => Record<string, string>)();
  const repeated: string[] = [];
  for (const [key, values] of seen) {
    if (values.length === 1) env[key] = values[0] ?? '';
    else {
      repeated.push(key);
      dropped += values.length;
    }
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
