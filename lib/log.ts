import { pino, type Logger } from 'pino';

export type { Logger };

// PINs and secrets are redacted by configuration, not by care: any field with
// one of these names is masked wherever it appears in a log line.
const REDACT = ['pin', 'secret', 'password', 'token', '*.pin', '*.secret', '*.password', '*.token', 'headers.authorization'];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'agentgate' }, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** A logger that writes nothing, for tests and tools that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
