// The AGI channel as scripts see it. Commands run one at a time in call order,
// each with its own timeout; values are quoted (quote.ts) and replies parsed
// (reply.ts). A HANGUP notice only marks the channel dead: the dialogue goes on,
// because Asterisk still answers GET/SET VARIABLE and EXEC on a dead channel
// (agi-caller-hangup.log) and work such as a queue logout must still finish.
import type { AgiLink } from './ding-dong.ts';
import {
  AgiClosedError,
  AgiDeadChannelError,
  AgiHangupError,
  AgiProtocolError,
  AgiTimeoutError,
  AgiUnsafeValueError,
} from './errors.ts';
import { msetArgument, msetCarries } from './mset.ts';
import { fitsOneCommand, formatCommand } from './quote.ts';
import { parseReply, type AgiReply } from './reply.ts';
import type { AgiRequest } from './request.ts';

export type { AgiReply } from './reply.ts';
export type { AgiRequest } from './request.ts';

export interface AgiChannelOptions {
  /** How long one command may wait for its reply. GET DATA gets its own timeout on top. */
  commandTimeoutMs: number;
  /** Told true when a command is written and false when it settles (the server's idle timer pauses meanwhile). */
  onBusy?: (busy: boolean) => void;
}

const REPLY_CODE = /^\d{3}[ -]/;
/**
 * MSet reads up to 99 pairs, but the 99th is the rest of its argument taken
 * raw (__ast_app_separate_args fills 98 slots and leaves the remainder as it
 * stands), so an escaped comma there would arrive as `\,`: 98 at most.
 */
const MSET_MAX_PAIRS = 98;

interface QueuedCommand {
  command: string;
  line: string;
  timeoutMs: number;
  resolve: (reply: AgiReply) => void;
  reject: (err: Error) => void;
}

// Commands whose result=-1 means the caller hung up while they ran.
const MEDIA = new Set(['EXEC', 'STREAM FILE', 'SAY DIGITS', 'GET DATA', 'ANSWER', 'WAIT FOR DIGIT']);

export class AgiChannel {
  readonly request: AgiRequest;
  readonly #link: AgiLink;
  readonly #timeoutMs: number;
  readonly #onBusy: ((busy: boolean) => void) | undefined;
  #hungUp = false;
  /** Why the channel is closed, once it is; made into the error commands get when one first needs it (closedError). */
  #closed: AgiClosedError | (() => AgiClosedError) | undefined;
  /** Commands waiting for the one in flight, in call order. */
  readonly #queue: QueuedCommand[] = [];
  /** The command in flight: told its reply, or why it has none. */
  #current: QueuedCommand | undefined;
  /** The timeout of the command in flight. */
  #timer: NodeJS.Timeout | undefined;

  constructor(link: AgiLink, request: AgiRequest, options: AgiChannelOptions) {
    this.#link = link;
    this.request = request;
    this.#timeoutMs = options.commandTimeoutMs;
    this.#onBusy = options.onBusy;
    this.#hungUp = link.hungUp;
    link.handlers.hangup = () => {
      this.#hungUp = true;
    };
    // A reply with no command in flight answers nothing: it is dropped.
    link.handlers.reply = (text) => this.#reply(text);
    link.handlers.closed = (err) => {
      // Issue 15: every session ends here, nearly always with nothing waiting: no error object (and stack) until one is needed.
      this.#close(err ? () => new AgiClosedError(`the AGI socket failed: ${err.message}`, { cause: err }) : () => new AgiClosedError());
    };
  }

  /** True once Asterisk sent HANGUP, answered 511, or a media command returned result=-1. */
  get hungUp(): boolean {
    return this.#hungUp;
  }

  /** True once the socket is gone; every command then rejects with AgiClosedError. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** The variable's value, or undefined when it is not set (`200 result=0`). */
  async getVariable(name: string): Promise<string | undefined> {
    const r = await this.command('GET VARIABLE', [name]);
    return r.result === '1' ? (r.data ?? '') : undefined;
  }

  /** `${...}` expression evaluated by Asterisk; an unset variable gives '' (Asterisk answers result=1). */
  async getFullVariable(expr: string): Promise<string | undefined> {
    const r = await this.command('GET FULL VARIABLE', [expr]);
    return r.result === '1' ? (r.data ?? '') : undefined;
  }

  async setVariable(name: string, value: string): Promise<void> {
    await this.command('SET VARIABLE', [name, value]);
  }

  /**
   * Sets several variables, in as few round trips as Asterisk allows: the
   * plain ones in one `EXEC MSet` when they fit one command line (mset.ts),
   * the rest one SET VARIABLE each. Each value arrives exactly as given.
   */
  async setVariables(vars: Readonly<Record<string, string>>): Promise<void> {
    const entries = Object.entries(vars);
    const plain = entries.filter(([n, v]) => msetCarries(n, v));
    let single = entries;
    const arg = plain.length >= 2 && plain.length <= MSET_MAX_PAIRS ? msetArgument(plain) : undefined;
    if (arg !== undefined && fitsOneCommand('EXEC', ['MSet', arg])) {
      const r = await this.exec('MSet', arg);
      // -2: no MSet in this Asterisk (it came in 13.8); then they go one by one.
      if (r.result !== '-2') single = entries.filter((e) => !plain.includes(e));
    }
    for (const [name, value] of single) await this.setVariable(name, value);
  }

  /**
   * Runs a dialplan application with ONE argument (Asterisk passes only one;
   * separate the application's own arguments with ','). Resolves with the reply:
   * result is the application's return, -2 when Asterisk has no such application.
   */
  exec(app: string, arg?: string): Promise<AgiReply> {
    return this.command('EXEC', arg === undefined ? [app] : [app, arg]);
  }

  /** result '0', or the ASCII code of the escape digit pressed; fields.endpos; '-1' if the caller hung up. */
  streamFile(file: string, escapeDigits = ''): Promise<AgiReply> {
    return this.command('STREAM FILE', [file, escapeDigits]);
  }

  sayDigits(digits: string, escapeDigits = ''): Promise<AgiReply> {
    return this.command('SAY DIGITS', [digits, escapeDigits]);
  }

  /** Plays `file` and collects up to maxDigits DTMF digits; throws AgiHangupError if the caller hangs up. */
  async getData(file: string, timeoutMs: number, maxDigits: number): Promise<{ digits: string; timedOut: boolean }> {
    wholeNumber('timeoutMs', timeoutMs);
    wholeNumber('maxDigits', maxDigits);
    // The prompt plays before the digit timeout starts, so the command gets both.
    const r = await this.command('GET DATA', [file, String(timeoutMs), String(maxDigits)], { timeoutMs: this.#timeoutMs + timeoutMs });
    if (r.result === '-1') throw new AgiHangupError('GET DATA');
    return { digits: r.result, timedOut: r.data === 'timeout' };
  }

  async verbose(message: string, level = 1): Promise<void> {
    wholeNumber('level', level);
    await this.command('VERBOSE', [message, String(level)]);
  }

  async answer(): Promise<void> {
    const r = await this.command('ANSWER');
    if (r.result === '-1') throw new AgiHangupError('ANSWER');
  }

  async hangup(): Promise<void> {
    await this.command('HANGUP');
    this.#hungUp = true;
  }

  /**
   * Any AGI command: `command` is its upper-case words, each of `args` is sent
   * quoted. Rejects with AgiUnsafeValueError before anything is written when a
   * value cannot be sent, and with the typed errors of parseReply for 510/511/520.
   */
  command(command: string, args: readonly string[] = [], options: { timeoutMs?: number } = {}): Promise<AgiReply> {
    let line: string;
    try {
      line = formatCommand(command, args);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(this.#closedError());
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const promise = new Promise<AgiReply>((resolve, reject) => {
      this.#queue.push({ command, line, timeoutMs, resolve, reject });
    });
    if (!this.#current) this.#next();
    return promise;
  }

  // Issue 15: one command at a time from a queue, one promise and one timer each
  // (it was a promise chain: three promises and four closures per command).
  #next(): void {
    const cmd = this.#queue.shift();
    if (!cmd) return;
    if (this.#closed) {
      cmd.reject(this.#closedError());
      this.#next();
      return;
    }
    this.#current = cmd;
    this.#timer = setTimeout(() => this.#timedOut(cmd), cmd.timeoutMs);
    this.#onBusy?.(true);
    this.#link.write(cmd.line);
  }

  /** Settles the command in flight, then sends the next one. */
  #settle(err: Error | undefined, reply?: AgiReply): void {
    const cmd = this.#current;
    if (!cmd) return;
    this.#current = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onBusy?.(false);
    if (err) cmd.reject(err);
    else cmd.resolve(reply as AgiReply);
    this.#next();
  }

  #reply(text: string): void {
    const cmd = this.#current;
    // A reply with no command in flight answers nothing: it is dropped.
    if (!cmd) return;
    let reply: AgiReply;
    try {
      reply = this.#interpret(cmd.command, text);
    } catch (err) {
      // A malformed reply leaves us unsure which command the next one answers. A line
      // that is no reply at all (no status code) only fails this command, as it always did.
      if (err instanceof AgiProtocolError && REPLY_CODE.test(text)) {
        this.#closed ??= new AgiClosedError(`the AGI session was closed after a bad reply to ${cmd.command}`);
        this.#settle(err);
        this.#abort(this.#closed);
      } else {
        this.#settle(err as Error);
      }
      return;
    }
    this.#settle(undefined, reply);
  }

  #timedOut(cmd: QueuedCommand): void {
    if (this.#current !== cmd) return;
    // A late reply would be taken for the next command's: the dialogue cannot go on.
    this.#closed ??= new AgiClosedError(`the AGI session was closed after ${cmd.command} timed out`);
    this.#settle(new AgiTimeoutError(cmd.command, cmd.timeoutMs));
    this.#abort(this.#closed);
  }

  #interpret(command: string, text: string): AgiReply {
    let reply: AgiReply;
    try {
      reply = parseReply(text, command);
    } catch (err) {
      if (err instanceof AgiDeadChannelError) this.#hungUp = true;
      throw err;
    }
    if (reply.result === '-1' && MEDIA.has(command)) this.#hungUp = true;
    return reply;
  }

  #close(err: AgiClosedError | (() => AgiClosedError)): void {
    if (this.#closed) return;
    this.#closed = err;
    // The command in flight, then every one queued behind it (#next rejects them).
    if (this.#current) this.#settle(this.#closedError());
    else this.#next();
  }

  #closedError(): AgiClosedError {
    if (typeof this.#closed === 'function') this.#closed = this.#closed();
    return this.#closed!;
  }

  #abort(err: AgiClosedError | (() => AgiClosedError)): void {
    this.#close(err);
    this.#link.destroy();
  }
}

function wholeNumber(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new AgiUnsafeValueError(`${name} must be a whole number >= 0, got ${n}`);
}
