// ding-dong's Context, the library's per-connection plumbing, patched
// (patches/ding-dong+0.1.7.patch) down to one job: hand over each line
// Asterisk sends, whole and raw, however TCP cut it. lib/agi reads the
// protocol from those lines (framing.ts, environment.ts, reply.ts) and writes
// the commands (channel.ts, quoted and checked by quote.ts). An unpatched copy
// (postinstall skipped) would hand over nothing, so it is refused at load.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { AgiLineReader } from './framing.ts';

/** Emits 'line' (without its LF), and the socket's 'close' and 'error'. */
type DingDongContext = EventEmitter;

interface ContextConstructor {
  new (stream: Duplex, options?: { logger?: (...args: unknown[]) => void; debug?: boolean }): DingDongContext;
  agentgateLines?: number;
}

const require = createRequire(import.meta.url);
const Context = require('ding-dong/lib/context.js') as ContextConstructor;

export function dingDongIsPatched(): boolean {
  return Context.agentgateLines === 1;
}

export interface AgiLinkEvents {
  /** The environment block exactly as received, ending with its empty line. */
  environment: [raw: string];
  /** A reply, its lines joined with LF. */
  reply: [text: string];
  /** Asterisk's unsolicited HANGUP notice. */
  hangup: [];
  close: [];
  error: [Error];
}

/** One FastAGI connection: what Asterisk sends comes out as events, command lines go in with write(). */
export class AgiLink extends EventEmitter<AgiLinkEvents> {
  readonly #socket: Duplex;
  #hungUp = false;

  constructor(socket: Duplex) {
    super();
    if (!dingDongIsPatched()) {
      throw new Error('ding-dong is not patched: run `npm install` (postinstall applies patches/ding-dong+0.1.7.patch)');
    }
    this.#socket = socket;
    const ctx = new Context(socket, { logger: () => {}, debug: false });
    const reader = new AgiLineReader();
    ctx.on('line', (line: string) => {
      const input = reader.push(line);
      if (input?.kind === 'environment') this.emit('environment', input.raw);
      else if (input?.kind === 'reply') this.emit('reply', input.text);
      else if (input?.kind === 'hangup') {
        this.#hungUp = true;
        this.emit('hangup');
      }
    });
    ctx.on('close', () => this.emit('close'));
    // ding-dong re-emits socket errors on the Context, where one with no listener would end the process.
    ctx.on('error', (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
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
