// Configuration comes from the environment only, validated once at start.
// A bad value stops the process with a message naming the key, never a
// half-configured service.
import { readFileSync } from 'node:fs';

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

/** How members are added (lib/asterisk/interfaces.ts; settings CONFIRM_ANSWER, CONFIRM_OFF_NUMBERS, DESK_CONTEXTS, DESK_STATE_INTERFACE, MOBILE_RING_IN_USE). */
export interface MemberStyle {
  confirmAnswer: boolean;
  confirmOffNumbers: readonly string[];
  /** Contexts that ring desk phones (FreePBX: from-queue): no confirm, a state interface. */
  deskContexts: readonly string[];
  /** `hint:{ext}@ext-local`; null: none. */
  deskStateInterface: string | null;
  /** false: a mobile on a queue call is not rung for another (QueueMemberRingInUse). */
  mobileRingInUse: boolean;
}

export interface Config {
  fastagi: {
    host: string;
    port: number;
    /** Client addresses allowed to open sessions: IPs or CIDR ranges. */
    allow: string[];
    maxSessions: number;
    /** Concurrent sessions from one client address. */
    maxSessionsPerAddress: number;
    /** How long a new connection may take to send its whole AGI environment, in ms (capped by idleTimeoutMs). */
    envTimeoutMs: number;
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
    /** How long a change's locks outlive a process that died holding them (renewed while it lives). */
    lockTtlMs: number;
  };
  queues: {
    /** Dialplan context a mobile member's Local channel dials through. */
    memberContext: string;
    /** How members are added: confirm on answer, desk state interfaces, mobiles' ring-in-use (lib/asterisk/interfaces.ts). */
    members: MemberStyle;
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
  sync: {
    /**
     * What a re-sync does with a member this service logged in that Asterisk no
     * longer has: `restore` it (QueueAdd with its penalty, name and pause), or
     * `forget` it (drop the record, audited). See lib/sync/plan.ts.
     */
    missing: MissingPolicy;
    /** `Custom:` device state name per member and queue, with {dev} {queue} {subject}; null: no BLF states. */
    blfTemplate: string | null;
    /** The lamp of a paused member (a logged-in one is INUSE, a logged-out one NOT_INUSE). */
    blfPausedState: PausedLampState;
  };
  health: {
    host: string;
    /** null: no health listener (HEALTH_PORT unset or off); 0: any free port. */
    port: number | null;
  };
  api: {
    host: string;
    /** null: no admin API (API_PORT=off, or API_PORT unset and no tokens); 0: any free port. */
    port: number | null;
    /** Bearer tokens with their names and roles; the token text is never logged. */
    tokens: ApiToken[];
    /** GET /metrics answers without a token (for a Prometheus that cannot send one). */
    metricsPublic: boolean;
    /** Browser origins (https://wallboard.example) allowed to call the API from their pages; none by default. */
    corsOrigins: string[];
    /** Bytes all live streams together may hold unread before the slowest, oldest are cut. */
    streamBufferBytes: number;
    /** Live streams one token may hold open at once. */
    streamsPerToken: number;
    /** Connections the API listener holds at once (live streams included); more are closed at once. */
    maxConnections: number;
  };
  agents: {
    /** Set and clear AGENTBYCALLERID_<ext> globals for old dialplans. */
    compatGlobals: boolean;
    /** Wrong PINs allowed per agent, and per caller, before a lock-out. */
    pinMaxFailures: number;
    pinLockoutSec: number;
  };
  /** Pausing members that do not answer (lib/sync/auto-pause.ts). */
  autoPause: {
    /** The rule of every queue not named in `queues`. */
    rule: AutoPauseRule;
    /** Per-queue rules, by queue name in lower case. */
    queues: Record<string, AutoPauseRule>;
  };
  /** Write AGENTLOGIN / AGENTLOGOFF session lines to queue_log (QueueLog action). */
  queueLogSessions: boolean;
  logLevel: string;
}

export interface AutoPauseRule {
  /** Unanswered rings in a row that pause a member; 0: never. */
  after: number;
  /** The pause reason (queue_log, QueueStatus, the stream). */
  reason: string;
  /** Seconds after which the service unpauses its own auto-pause; 0: stays paused until someone unpauses. */
  cooldownSec: number;
}

const REASON = /^[A-Za-z0-9_.-]{1,32}$/;

/** AUTOPAUSE_QUEUES: `queue:after[:reason[:cooldown]]`, comma-separated; missing parts from the defaults. */
function autoPauseQueues(env: Env, base: AutoPauseRule): Record<string, AutoPauseRule> {
  const out: Record<string, AutoPauseRule> = {};
  for (const item of list(env, 'AUTOPAUSE_QUEUES', [])) {
    const [queue, after, reason, cooldown, extra] = item.split(':');
    const bad = (why: string) => new ConfigError('AUTOPAUSE_QUEUES', `${JSON.stringify(item)}: ${why} (queue:after[:reason[:cooldown_sec]])`);
    if (!queue || !/^[A-Za-z0-9_.-]{1,64}$/.test(queue) || extra !== undefined) throw bad('not a rule');
    if (after === undefined || !/^\d{1,4}$/.test(after)) throw bad('after must be a whole number');
    if (reason !== undefined && reason !== '' && !REASON.test(reason)) throw bad('reason must be 1 to 32 letters, digits, "_", "." or "-"');
    if (cooldown !== undefined && cooldown !== '' && !/^\d{1,6}$/.test(cooldown)) throw bad('cooldown must be a whole number of seconds');
    out[queue.toLowerCase()] = { after: Number(after), reason: reason || base.reason, cooldownSec: cooldown ? Number(cooldown) : base.cooldownSec };
  }
  return out;
}

function autoPause(env: Env): Config['autoPause'] {
  const reason = str(env, 'AUTOPAUSE_REASON', 'noanswer');
  if (!REASON.test(reason)) throw new ConfigError('AUTOPAUSE_REASON', 'must be 1 to 32 letters, digits, "_", "." or "-"');
  const rule = { after: int(env, 'AUTOPAUSE_AFTER', 3, 0, 1000), reason, cooldownSec: int(env, 'AUTOPAUSE_COOLDOWN_SEC', 0, 0, 86_400) };
  return { rule, queues: autoPauseQueues(env, rule) };
}

export type MissingPolicy = 'restore' | 'forget';
export type PausedLampState = 'ONHOLD' | 'BUSY' | 'INUSE';

function oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
  const raw = (env[key] ?? '').trim();
  if (raw === '') return fallback;
  const v = (allowed as readonly string[]).find((a) => a.toLowerCase() === raw.toLowerCase());
  if (v === undefined) throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return v as T;
}

/** FreePBX's queue lamps (app-queue-toggle, hints *45<dev>*<queue>). */
export const FREEPBX_BLF_TEMPLATE = 'Custom:QUEUE{dev}*{queue}';

// BLF_SCHEME: `freepbx`, `off`, or a template of our own. The name ends up inside
// DEVICE_STATE(...) in an AMI header: only characters that cannot close the
// function call or split its argument are allowed.
function blfTemplate(env: Env): string | null {
  const raw = str(env, 'BLF_SCHEME', 'freepbx').trim();
  if (/^off$/i.test(raw)) return null;
  if (/^freepbx$/i.test(raw)) return FREEPBX_BLF_TEMPLATE;
  if (!raw.startsWith('Custom:')) throw new ConfigError('BLF_SCHEME', `must be freepbx, off, or a template starting with Custom:, got ${JSON.stringify(raw)}`);
  if (!raw.includes('{queue}') || !(raw.includes('{dev}') || raw.includes('{subject}'))) {
    throw new ConfigError('BLF_SCHEME', 'a template needs {queue} and {dev} or {subject}');
  }
  if (!/^Custom:[A-Za-z0-9_+*#.@-]*$/.test(raw.replace(/\{(dev|queue|subject)\}/g, ''))) {
    throw new ConfigError('BLF_SCHEME', 'a template may hold only letters, digits, _ + * # . @ - and {dev} {queue} {subject}');
  }
  return raw;
}

// Off unless asked for: a new listening port is the operator's choice (the
// Docker image turns it on). 0 picks any free port.
function optionalPort(env: Env, key: string): number | null {
  const raw = (env[key] ?? '').trim();
  if (raw === '' || /^off$/i.test(raw)) return null;
  return int(env, key, 0, 0, 65535);
}

export type ApiRole = 'read' | 'admin';

export interface ApiToken {
  /** Who holds it: named in logs and in the audit trail's `by`. */
  name: string;
  role: ApiRole;
  token: string;
}

// API_TOKENS=name:role:token,... or API_TOKENS_FILE with one name:role:token a
// line (# comments). Errors name the entry, never its token.
function apiTokens(env: Env): ApiToken[] {
  const inline = (env.API_TOKENS ?? '').trim();
  const file = (env.API_TOKENS_FILE ?? '').trim();
  if (inline && file) throw new ConfigError('API_TOKENS', 'set API_TOKENS or API_TOKENS_FILE, not both');
  let key = 'API_TOKENS';
  let entries: string[] = [];
  if (inline) entries = inline.split(',');
  else if (file) {
    key = 'API_TOKENS_FILE';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(key, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    entries = text.split(/\r?\n/).filter((l) => !/^\s*(#|$)/.test(l));
  }
  const tokens: ApiToken[] = [];
  entries.forEach((raw, i) => {
    const m = /^([A-Za-z0-9_.-]{1,64}):([a-z]+):(.*)$/.exec(raw.trim());
    if (!m) throw new ConfigError(key, `entry ${i + 1} is not name:role:token (name of letters, digits, _ . -)`);
    const [, name, role, token] = m as unknown as [string, string, string, string];
    if (role !== 'read' && role !== 'admin') throw new ConfigError(key, `entry ${i + 1} (${name}): role must be read or admin`);
    if (!/^[\x21-\x7e]{16,256}$/.test(token)) throw new ConfigError(key, `entry ${i + 1} (${name}): token must be 16 to 256 visible ASCII characters`);
    if (tokens.some((t) => t.name === name)) throw new ConfigError(key, `entry ${i + 1}: name ${name} is used twice`);
    if (tokens.some((t) => t.token === token)) throw new ConfigError(key, `entry ${i + 1} (${name}): the same token is given twice`);
    tokens.push({ name, role, token });
  });
  return tokens;
}

// An origin is scheme://host[:port], exactly as a browser sends it.
function corsOrigins(env: Env): string[] {
  return list(env, 'API_CORS_ORIGINS', []).map((o) => {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o)) throw new ConfigError('API_CORS_ORIGINS', `${JSON.stringify(o)} is not an origin like https://wallboard.example`);
    return o.toLowerCase();
  });
}

// The API listens only with tokens to check: unset API_PORT means 8088 when
// there are tokens and no API when there are none; an explicit port without
// tokens is a mistake worth stopping for.
function apiPort(env: Env, tokens: ApiToken[]): number | null {
  const raw = (env.API_PORT ?? '').trim();
  if (/^off$/i.test(raw)) return null;
  if (raw === '') return tokens.length ? 8088 : null;
  const port = int(env, 'API_PORT', 8088, 0, 65535);
  if (!tokens.length) throw new ConfigError('API_PORT', 'the admin API needs API_TOKENS or API_TOKENS_FILE (name:role:token,...)');
  return port;
}

// CONFIRM_ANSWER (on), CONFIRM_OFF_NUMBERS, DESK_CONTEXTS (from-queue),
// DESK_STATE_INTERFACE (hint:{ext}@ext-local, or off), MOBILE_RING_IN_USE (off).
function memberStyle(env: Env): MemberStyle {
  const deskContexts = list(env, 'DESK_CONTEXTS', ['from-queue']);
  for (const c of deskContexts) if (!/^[A-Za-z0-9_-]+$/.test(c)) throw new ConfigError('DESK_CONTEXTS', `${JSON.stringify(c)}: a context may hold only letters, digits, _ and -`);
  const offNumbers = list(env, 'CONFIRM_OFF_NUMBERS', []);
  for (const n of offNumbers) if (!/^\d{1,20}$/.test(n)) throw new ConfigError('CONFIRM_OFF_NUMBERS', `${JSON.stringify(n)} is not a number as agentgate writes them (digits only)`);
  const state = str(env, 'DESK_STATE_INTERFACE', 'hint:{ext}@ext-local').trim();
  if (!/^off$/i.test(state) && (!state.includes('{ext}') || !/^[A-Za-z0-9_:@/.{}-]+$/.test(state))) {
    throw new ConfigError('DESK_STATE_INTERFACE', 'must be off or an interface with {ext}, like hint:{ext}@ext-local');
  }
  return {
    confirmAnswer: bool(env, 'CONFIRM_ANSWER', true),
    confirmOffNumbers: offNumbers,
    deskContexts,
    deskStateInterface: /^off$/i.test(state) ? null : state,
    mobileRingInUse: bool(env, 'MOBILE_RING_IN_USE', false),
  };
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
  const apiTokensList = apiTokens(env);
  const maxDigits = int(env, 'NUMBER_MAX_DIGITS', 15, minDigits, 20);
  return {
    fastagi: {
      host: str(env, 'FASTAGI_HOST', '127.0.0.1'),
      port: int(env, 'FASTAGI_PORT', 4573, 0, 65535),
      allow: list(env, 'FASTAGI_ALLOW', ['127.0.0.0/8', '::1/128']),
      maxSessions: int(env, 'FASTAGI_MAX_SESSIONS', 1000, 1, 100_000),
      maxSessionsPerAddress: int(env, 'FASTAGI_MAX_SESSIONS_PER_ADDRESS', 1000, 1, 100_000),
      envTimeoutMs: int(env, 'FASTAGI_ENV_TIMEOUT_MS', 5000, 100, 600_000),
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
      lockTtlMs: int(env, 'LOCK_TTL_MS', 15_000, 1000, 600_000),
    },
    queues: {
      memberContext,
      members: memberStyle(env),
      toggleLimit: int(env, 'TOGGLE_RATE_LIMIT', 6, 1, 10_000),
      toggleWindowSec: int(env, 'TOGGLE_RATE_WINDOW_SEC', 60, 1, 86_400),
      auditMaxLen: int(env, 'AUDIT_MAX_LEN', 100_000, 100, 100_000_000),
    },
    numbers: { rewrite, minDigits, maxDigits },
    sync: {
      missing: oneOf<MissingPolicy>(env, 'RESYNC_POLICY', 'restore', ['restore', 'forget']),
      blfTemplate: blfTemplate(env),
      blfPausedState: oneOf<PausedLampState>(env, 'BLF_PAUSED_STATE', 'ONHOLD', ['ONHOLD', 'BUSY', 'INUSE']),
    },
    health: {
      host: str(env, 'HEALTH_HOST', '127.0.0.1'),
      port: optionalPort(env, 'HEALTH_PORT'),
    },
    api: {
      host: str(env, 'API_HOST', '127.0.0.1'),
      port: apiPort(env, apiTokensList),
      tokens: apiTokensList,
      metricsPublic: bool(env, 'METRICS_PUBLIC', false),
      corsOrigins: corsOrigins(env),
      streamBufferBytes: int(env, 'API_STREAM_BUFFER_BYTES', 32 * 1024 * 1024, 65_536, 4 * 1024 * 1024 * 1024),
      streamsPerToken: int(env, 'API_STREAMS_PER_TOKEN', 20, 1, 100_000),
      maxConnections: int(env, 'API_MAX_CONNECTIONS', 600, 1, 100_000),
    },
    agents: {
      compatGlobals: bool(env, 'AGENT_COMPAT_GLOBALS', false),
      pinMaxFailures: int(env, 'PIN_MAX_FAILURES', 5, 1, 100),
      pinLockoutSec: int(env, 'PIN_LOCKOUT_SEC', 900, 1, 86_400),
    },
    autoPause: autoPause(env),
    queueLogSessions: bool(env, 'QUEUE_LOG_SESSIONS', true),
    logLevel: str(env, 'LOG_LEVEL', 'info'),
  };
}
