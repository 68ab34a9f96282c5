// One FastAGI connection, from the first byte to the socket's close: the
// environment, the script, then closing the socket ourselves (Asterisk answers
// with a HANGUP line, which nobody waits for). Whatever happens on the socket is
// caught here, and exactly one closing line `{ outcome, ms }` is logged.
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { AgiChannel } from './channel.ts';
import { AgiLink } from './ding-dong.ts';
import { looksLikeAgiEnvironment, parseEnvironment } from './environment.ts';
import { buildRequest } from './request.ts';
import type { ErrorCode } from '../errors.ts';
import { runScript, type Routes, type ScriptOutcome } from './router.ts';
import { WireGuard, type WireViolation } from './wire-guard.ts';

export type SessionOutcome =
  | ScriptOutcome
  | WireViolation
  | 'idle-timeout'
  | 'shutdown'
  | 'probe'
  | 'closed-before-environment';

/** After our end(), how long Asterisk gets to close its side before the socket is destroyed. */
const LINGER_MS = 2000;

export interface SessionOptions {
  config: Config['fastagi'];
  log: Logger;
  scripts: Routes;
  /** Told once per session, with the outcome the closing log line has (metrics). */
  onEnd?: (end: SessionEnd) => void;
}

export interface SessionEnd {
  /** The script asked for when agentgate has it, `unknown` when not, `none` before an environment. */
  script: string;
  outcome: SessionOutcome;
  /** The code the dialplan was given (AGENTGATE_ERROR) when the script refused or failed. */
  code?: ErrorCode;
  ms: number;
}

export class AgiSession {
  /** Settles (never rejects) once the socket is closed and the script, if any, has returned. */
  readonly done: Promise<void>;
  readonly #socket: Socket;
  readonly #opts: SessionOptions;
  readonly #remote: string;
  readonly #started = performance.now();
  readonly #link: AgiLink;
  // Issue 15: one child logger per session, made when the script is known (or
  // when something is logged before that), not two.
  #log: Logger | undefined;
  #resolveDone!: () => void;
  #bytes = 0;
  #killed: SessionOutcome | undefined; // set when we cut the socket; wins over the script's outcome
  #result: { outcome: ScriptOutcome; code?: ErrorCode } | undefined;
  #scriptRunning = false;
  #socketClosed = false;
  #busy = false;
  #finished = false;
  #timer: NodeJS.Timeout | undefined; // environment deadline, then linger
  // While the script runs; one Timeout for the whole session, refreshed on every
  // read rather than a new one each time (issue 15). It may fire while a command
  // is in flight: it then does nothing, and the command's end arms it again.
  #idle: NodeJS.Timeout | undefined;
  #script = 'none';

  constructor(socket: Socket, opts: SessionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.#remote = socket.remoteAddress ?? '';
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });

    const guard = new WireGuard(opts.config);
    const link = new AgiLink(socket);
    this.#link = link;
    link.handlers.environment = (raw) => this.#start(raw);
    socket.setNoDelay(true);
    socket.on('error', (err) => {
      this.#logger.debug({ reason: err.message }, 'FastAGI socket error');
      link.end(err);
    });
    // Each chunk is checked against the limits before the link reads a line of it.
    socket.on('data', (chunk: Buffer) => {
      this.#bytes += chunk.length;
      const violation = guard.push(chunk);
      if (violation) {
        this.#kill(violation, violation === 'garbage' ? 'not a FastAGI peer' : `the peer broke the ${violation} limit`);
        return;
      }
      if (this.#scriptRunning) this.#armIdle();
      link.push(chunk);
    });
    socket.on('close', () => {
      this.#socketClosed = true;
      this.#stopTimers();
      this.#finishIfDone();
      link.end();
    });
    // Asterisk sends the whole environment at once, within milliseconds of
    // connecting: a peer that dribbles it, or says nothing, is cut, data or not,
    // after envTimeoutMs (much shorter than the idle timeout, so silent
    // connections cannot hold the session slots for long).
    this.#timer = setTimeout(() => this.#kill('idle-timeout', 'no complete environment in time'), Math.min(opts.config.envTimeoutMs, opts.config.idleTimeoutMs));
  }

  /** The session's logger: the script's once it is known, else one that names the peer. */
  get #logger(): Logger {
    return (this.#log ??= this.#opts.log.child({ remote: this.#remote }));
  }

  /** Closes the socket now (server shutdown after the grace period). */
  cut(): void {
    this.#kill('shutdown', 'cut at shutdown');
  }

  #start(rawEnvironment: string): void {
    if (this.#killed || this.#socketClosed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { env, dropped, repeated } = parseEnvironment(rawEnvironment);
    if (!looksLikeAgiEnvironment(env)) {
      this.#kill('garbage', 'not a FastAGI environment');
      return;
    }
    const { request, error } = buildRequest(env, this.#remote);
    // Only names agentgate has become a metric label: the wire must not mint new series.
    this.#script = Object.hasOwn(this.#opts.scripts, request.script) ? request.script : 'unknown';
    const log = this.#opts.log.child({
      script: request.script,
      uniqueid: request.uniqueid,
      channel: request.channel,
      callerId: request.callerId,
      remote: this.#remote,
    });
    this.#log = log;
    if (dropped > 0) {
      log.warn({ dropped, repeated }, 'environment lines dropped: a caller-controlled value carried a line break');
    }
    const ch = new AgiChannel(this.#link, request, {
      commandTimeoutMs: this.#opts.config.commandTimeoutMs,
      onBusy: (busy) => {
        this.#busy = busy;
        this.#armIdle();
      },
    });
    this.#scriptRunning = true;
    this.#armIdle();
    runScript(ch, this.#opts.scripts, log, error)
      .then(
        (result) => {
          this.#result = result;
        },
        (err: unknown) => {
          // runScript catches what scripts throw; this is a bug in the router itself.
          this.#logger.error({ err }, 'FastAGI router failed');
          this.#result = { outcome: 'error', code: 'INTERNAL' };
        },
      )
      .finally(() => {
        this.#scriptRunning = false;
        this.#closeSocket();
        this.#finishIfDone();
      });
  }

  // While the script runs, Asterisk may stay silent only while a command is in
  // flight (that has its own timeout); otherwise idleTimeoutMs of silence cuts the session.
  #armIdle(): void {
    if (!this.#scriptRunning || this.#busy || this.#socketClosed) return;
    if (this.#idle) this.#idle.refresh();
    else {
      this.#idle = setTimeout(() => {
        if (this.#scriptRunning && !this.#busy) this.#kill('idle-timeout', 'nothing from Asterisk in time');
      }, this.#opts.config.idleTimeoutMs);
    }
  }

  #closeSocket(): void {
    this.#stopTimers();
    if (this.#socketClosed) return;
    this.#socket.end();
    this.#timer = setTimeout(() => this.#socket.destroy(), Math.min(LINGER_MS, this.#opts.config.idleTimeoutMs));
  }

  #stopTimers(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#idle);
  }

  #kill(reason: SessionOutcome, message: string): void {
    if (this.#killed || this.#socketClosed) return;
    this.#killed = reason;
    this.#logger.warn({ reason }, `closing FastAGI session: ${message}`);
    this.#stopTimers();
    this.#socket.destroy();
  }

  #finishIfDone(): void {
    if (this.#finished || !this.#socketClosed || this.#scriptRunning) return;
    this.#finished = true;
    const ms = Math.round(performance.now() - this.#started);
    const outcome: SessionOutcome =
      this.#killed ?? this.#result?.outcome ?? (this.#bytes === 0 ? 'probe' : 'closed-before-environment');
    const code = this.#killed ? undefined : this.#result?.code;
    const line = code ? { outcome, code, ms } : { outcome, ms };
    // A bare connect-and-close is a port probe (monitoring): not worth an info line each time.
    if (outcome === 'probe') this.#logger.debug(line, 'FastAGI session end');
    else this.#logger.info(line, 'FastAGI session end');
    this.#opts.onEnd?.({ script: this.#script, outcome, ...(code ? { code } : {}), ms });
    this.#resolveDone();
  }
}
