// ding-dong's Context, the library's per-connection plumbing, patched
// (patches/ding-dong+0.1.7.patch) down to one job: split what the socket reads
// into the lines Asterisk sent, whole and raw, however TCP cut them. lib/agi
// reads the protocol from those lines (framing.ts, environment.ts, reply.ts)
// and writes the commands (channel.ts, quoted and checked by quote.ts). The
// session reads the socket and feeds the Context each chunk once the wire
// guard has passed it. An unpatched copy (postinstall skipped) would hand over
// nothing, so it is refused at start.
//
// Issue 15: 0.1.7's Context wrapped every socket in a second, userland stream
// (readable-stream 2: its own buffer, decoder and listeners per connection,
// about 6 KB of heap and some 15 % of a toggle's CPU); the patch splits the
// socket's own chunks instead.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { AgiLineReader } from './framing.ts';

/** Emits 'line' (without its LF) for each chunk pushed. */
interface DingDongContext extends EventEmitter {
  push(chunk: Buffer): void;
}

interface ContextConstructor {
  new (stream: Duplex, options: { logger: (...args: unknown[]) => void; debug: boolean; feed: true }): DingDongContext;
  agentgateLines?: number;
}

const require = createRequire(import.meta.url);
const Context = require('ding-dong/lib/context.js') as ContextConstructor;

export function dingDongIsPatched(): boolean {
  return Context.agentgateLines === 2;
}

const quiet = (): void => undefined;

/** What the link tells its one reader: plain callbacks, not an EventEmitter (per connection, they cost less). */
export interface AgiLinkHandlers {
  /** The environment block exactly as received, ending with its empty line. */
  environment?: (raw: string) => void;
  /** A reply, its lines joined with LF. */
  reply?: (text: string) => void;
  /** Asterisk's unsolicited HANGUP notice. */
  hangup?: () => void;
  /** The socket is gone: with the error that ended it, if one did. */
  closed?: (err?: Error) => void;
}

/**
 * One FastAGI connection: the session hands in what the socket reads (push) and
 * tells when it is gone (end); the lines come out to `handlers`; command lines go
 * in with write().
 */
export class AgiLink {
  readonly handlers: AgiLinkHandlers = {};
  readonly #socket: Duplex;
  readonly #context: DingDongContext;
  readonly #reader = new AgiLineReader();
  #hungUp = false;
  #ended = false;

  constructor(socket: Duplex) {
    this.#socket = socket;
    this.#context = new Context(socket, { logger: quiet, debug: false, feed: true });
    this.#context.on('line', (line: string) => this.#line(line));
  }

  /** One chunk as the socket read it; nothing is read from a socket already destroyed. */
  push(chunk: Buffer): void {
    this.#context.push(chunk);
  }

  /** The socket closed (after `err`, if it failed). Told once. */
  end(err?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.handlers.closed?.(err);
  }

  #line(line: string): void {
    const input = this.#reader.push(line);
    if (input?.kind === 'environment') this.handlers.environment?.(input.raw);
    else if (input?.kind === 'reply') this.handlers.reply?.(input.text);
    else if (input?.kind === 'hangup') {
      this.#hungUp = true;
      this.handlers.hangup?.();
    }
  }

  /** True once Asterisk sent its HANGUP notice. */
  get hungUp(): boolean {
    return this.#hungUp;
  }

  /** Writes one command line, already formatted and checked by quote.ts; the LF is added here. */
  write(line: string): void {
    this.#socket.write(`${line}\n`);
  }

  /** Cuts the connection. */
  destroy(): void {
    this.#socket.destroy();
  }
}
