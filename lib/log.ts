import { pino, type Logger } from 'pino';

export type { Logger };

// PINs and secrets are redacted by configuration, not by care: any field with
// one of these names is masked wherever it appears in a log line: at the top of
// the line's object or of a child logger's bindings, or one level down (`*.pin`,
// `err.token`), and `headers.authorization`.
//
// Issue 15: this was pino's `redact` option with wildcard paths (`*.pin`), which
// sends every value of every line and every child binding through a clone and a
// path walk: about 20 KB of garbage per toggle and a good part of its CPU. The
// same masking is done here by hand, and only copies what it masks. (pino's
// redact also reached `%o` interpolation in messages; nothing here logs that way.)
const KEYS = new Set(['pin', 'secret', 'password', 'token']);
const CENSOR = '[redacted]';

/** `value` with every KEYS property masked (and `authorization` under `headers`), or `value` itself when none is there. */
function maskOneLevel(value: object, key: string): object {
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    if (!KEYS.has(k) && !(key === 'headers' && k === 'authorization')) continue;
    // An Error keeps its message, stack and class for pino's err serializer: the copy inherits from it.
    copy ??= value instanceof Error ? (Object.create(value) as Record<string, unknown>) : { ...value };
    copy[k] = CENSOR;
  }
  return copy ?? value;
}

/** A log line's object or a child's bindings, masked; the same object when there is nothing to mask. */
export function redact<T extends object>(obj: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[k];
    let masked: unknown = v;
    if (KEYS.has(k)) masked = CENSOR;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) masked = maskOneLevel(v, k);
    if (masked === v) continue;
    copy ??= { ...(obj as Record<string, unknown>) };
    copy[k] = masked;
  }
  return (copy ?? obj) as T;
}

function withRedaction(logger: Logger): Logger {
  // Children are made with Object.create(parent), so they inherit this child() too.
  type Child = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const child = logger.child as unknown as Child;
  const masked: Child = function (bindings, options) {
    return child.call(this, redact(bindings), options);
  };
  (logger as { child: unknown }).child = masked;
  return logger;
}

/**
 * stdout through pino's own asynchronous destination: a log reader that stops
 * reading (a full pipe) holds back log lines, never calls, and what waits is
 * written at exit, a crash included. (Issue 15 tried batching lines for 20 ms
 * to save writes, about 6 % of a toggle's CPU; a batch still in flight when the
 * process exits was lost, so it went: the lines that explain a crash are worth more.)
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return withRedaction(pino({ level, base: { service: 'agentgate' }, formatters: { log: redact } }));
}

/** A logger that writes nothing, for tests and tools that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
