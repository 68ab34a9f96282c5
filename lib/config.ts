// Configuration comes from the environment only, validated once at start.
// A bad value stops the process with a message naming the key, never a
// half-configured service.

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly key: string;
  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.key = key;
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, key: string, fallback: string): string {
  const v = env[key];
  if (v === undefined || v === '') return fallback;
  if (/[\r\n\0]/.test(v)) throw new ConfigError(key, 'must not contain CR, LF or NUL');
  return v;
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(key, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(key, `must be true or false, got ${JSON.stringify(raw)}`);
}

function list(env: Env, key: string, fallback: string[]): string[] {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function url(env: Env, key: string, fallback: string, protocols: string[]): string {
  const v = str(env, key, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(key, `is not a URL: ${JSON.stringify(v)}`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(key, `must start with ${protocols.join(' or ')}`);
  return v;
}

export interface Config {
  fastagi: {
    host: string;
    port: number;
    /** Client addresses allowed to open sessions: IPs or CIDR ranges. */
    allow: string[];
    maxSessions: number;
    /** How long the server waits for Asterisk to send anything, in ms. */
    idleTimeoutMs: number;
    /** How long one AGI command may take; prompts and DTMF entry count. */
    commandTimeoutMs: number;
    maxLineBytes: number;
    maxEnvBytes: number;
    shutdownGraceMs: number;
  };
  ami: {
    host: string;
    port: number;
    username: string;
    secret: string;
    actionTimeoutMs: number;
  };
  redis: {
    url: string;
    prefix: string;
  };
  queues: {
    /** Dialplan context a mobile member's Local channel dials through. */
    memberContext: string;
    /** Toggles allowed per number within toggleWindowSec. */
    toggleLimit: number;
    toggleWindowSec: number;
    auditMaxLen: number;
  };
  numbers: {
    /** Rewrite rules `regex=>replacement`, applied in order, first match wins. */
    rewrite: string[];
    minDigits: number;
    maxDigits: number;
  };
  agents: {
    /** Set and clear AGENTBYCALLERID_<ext> globals for old dialplans. */
    compatGlobals: boolean;
    /** Wrong PINs allowed per agent, and per caller, before a lock-out. */
    pinMaxFailures: number;
    pinLockoutSec: number;
  };
  logLevel: string;
}

export function loadConfig(env: Env = process.env): Config {
  const prefix = str(env, 'REDIS_PREFIX', 'agentgate:');
  if (!/^[A-Za-z0-9_.:-]+$/.test(prefix)) throw new ConfigError('REDIS_PREFIX', 'may hold only letters, digits and _ . : -');
  const memberContext = str(env, 'MEMBER_CONTEXT', 'outbound-allroutes');
  if (!/^[A-Za-z0-9_-]+$/.test(memberContext)) throw new ConfigError('MEMBER_CONTEXT', 'may hold only letters, digits, _ and -');
  const rewrite = (env.NUMBER_REWRITE ?? '').split(';').map((s) => s.trim()).filter(Boolean);
  for (const rule of rewrite) {
    const [pattern, replacement] = rule.split('=>');
    if (pattern === undefined || replacement === undefined) throw new ConfigError('NUMBER_REWRITE', `rule ${JSON.stringify(rule)} is not regex=>replacement`);
    try {
      new RegExp(pattern);
    } catch {
      throw new ConfigError('NUMBER_REWRITE', `rule ${JSON.stringify(rule)} has a bad regular expression`);
    }
  }
  const minDigits = int(env, 'NUMBER_MIN_DIGITS', 3, 1, 20);
  const maxDigits = int(env, 'NUMBER_MAX_DIGITS', 15, minDigits, 20);
  return {
    fastagi: {
      host: str(env, 'FASTAGI_HOST', '127.0.0.1'),
      port: int(env, 'FASTAGI_PORT', 4573, 0, 65535),
      allow: list(env, 'FASTAGI_ALLOW', ['127.0.0.0/8', '::1/128']),
      maxSessions: int(env, 'FASTAGI_MAX_SESSIONS', 1000, 1, 100_000),
      idleTimeoutMs: int(env, 'FASTAGI_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
      commandTimeoutMs: int(env, 'FASTAGI_COMMAND_TIMEOUT_MS', 60_000, 100, 3_600_000),
      maxLineBytes: int(env, 'FASTAGI_MAX_LINE_BYTES', 8192, 256, 1_048_576),
      maxEnvBytes: int(env, 'FASTAGI_MAX_ENV_BYTES', 65_536, 1024, 16_777_216),
      shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    },
    ami: {
      host: str(env, 'AMI_HOST', '127.0.0.1'),
      port: int(env, 'AMI_PORT', 5038, 1, 65535),
      username: str(env, 'AMI_USERNAME', 'agentgate'),
      secret: str(env, 'AMI_SECRET', ''),
      actionTimeoutMs: int(env, 'AMI_ACTION_TIMEOUT_MS', 5000, 100, 600_000),
    },
    redis: {
      url: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379/0', ['redis:', 'rediss:']),
      prefix,
    },
    queues: {
      memberContext,
      toggleLimit: int(env, 'TOGGLE_RATE_LIMIT', 6, 1, 10_000),
      toggleWindowSec: int(env, 'TOGGLE_RATE_WINDOW_SEC', 60, 1, 86_400),
      auditMaxLen: int(env, 'AUDIT_MAX_LEN', 100_000, 100, 100_000_000),
    },
    numbers: { rewrite, minDigits, maxDigits },
    agents: {
      compatGlobals: bool(env, 'AGENT_COMPAT_GLOBALS', false),
      pinMaxFailures: int(env, 'PIN_MAX_FAILURES', 5, 1, 100),
      pinLockoutSec: int(env, 'PIN_LOCKOUT_SEC', 900, 1, 86_400),
    },
    logLevel: str(env, 'LOG_LEVEL', 'info'),
  };
}
