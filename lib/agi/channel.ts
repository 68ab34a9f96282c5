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
import { formatCommand } from './quote.ts';
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

// Commands whose result=-1 means the caller hung up while they ran.
const MEDIA = new Set(['EXEC', 'STREAM FILE', 'SAY DIGITS', 'GET DATA', 'ANSWER', 'WAIT FOR DIGIT']);

export class AgiChannel {
  readonly request: AgiRequest;
  readonly #link: AgiLink;
  readonly #timeoutMs: number;
  readonly #onBusy: ((busy: boolean) => void) | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #hungUp = false;
  #closed: AgiClosedError | undefined;
  /** The command in flight: told its reply, or why it has none. */
  #inflight: ((outcome: { text: string } | { err: Error }) => void) | undefined;

  constructor(link: AgiLink, request: AgiRequest, options: AgiChannelOptions) {
    this.#link = link;
    this.request = request;
    this.#timeoutMs = options.commandTimeoutMs;
    this.#onBusy = options.onBusy;
    this.#hungUp = link.hungUp;
    link.on('hangup', () => {
      this.#hungUp = true;
    });
    // A reply with no command in flight answers nothing: it is dropped.
    link.on('reply', (text) => this.#inflight?.({ text }));
    link.on('close', () => this.#close(new AgiClosedError()));
    link.on('error', (err) => this.#close(new AgiClosedError(`the AGI socket failed: ${err.message}`, { cause: err })));
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
    const run = () => this.#send(command, line, options.timeoutMs ?? this.#timeoutMs);
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  #send(command: string, line: string, timeoutMs: number): Promise<AgiReply> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise<AgiReply>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | undefined, reply?: AgiReply) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#inflight = undefined;
        this.#onBusy?.(false);
        if (err) reject(err);
        else resolve(reply as AgiReply);
      };
      const timer = setTimeout(() => {
        settle(new AgiTimeoutError(command, timeoutMs));
        // A late reply would be taken for the next command's: the dialogue cannot go on.
        this.#abort(new AgiClosedError(`the AGI session was closed after ${command} timed out`));
      }, timeoutMs);
      this.#inflight = (outcome) => {
        if ('err' in outcome) return settle(outcome.err);
        try {
          settle(undefined, this.#interpret(command, outcome.text));
        } catch (err) {
          settle(err as Error);
          // A malformed reply leaves us unsure which command the next one answers. A line
          // that is no reply at all (no status code) only fails this command, as it always did.
          if (err instanceof AgiProtocolError && REPLY_CODE.test(outcome.text)) {
            this.#abort(new AgiClosedError(`the AGI session was closed after a bad reply to ${command}`));
          }
        }
      };
      this.#onBusy?.(true);
      this.#link.write(line);
    });
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

  #close(err: AgiClosedError): void {
    if (this.#closed) return;
    this.#closed = err;
    this.#inflight?.({ err });
  }

  #abort(err: AgiClosedError): void {
    this.#close(err);
    this.#link.destroy();
  }
}

function wholeNumber(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new AgiUnsafeValueError(`${name} must be a whole number >= 0, got ${n}`);
}
