// The patched ding-dong Context (patches/ding-dong+0.1.7.patch), typed. It owns
// the wire: line framing, the HANGUP notice, one command in flight at a time.
// An unpatched copy (postinstall skipped) would hang or crash on the first
// call, so it is refused at load.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

export interface DingDongResponse {
  code: number;
  result?: string;
  value?: string;
  fields: Record<string, string>;
  /** The reply exactly as received, lines joined with LF. */
  raw: string;
}

export interface DingDongContext extends EventEmitter {
  readonly socket: Duplex;
  readonly variables: Record<string, string>;
  /** The environment block exactly as received, ending with its empty line. */
  readonly rawEnvironment: string;
  readonly hungUp: boolean;
  /** Rejects with an error whose `code` is AGI_CLOSED, AGI_PROTOCOL or AGI_UNSAFE_VALUE. */
  sendCommand(line: string): Promise<DingDongResponse>;
  end(): Promise<void>;
}

interface ContextConstructor {
  new (stream: Duplex, options?: { logger?: (...args: unknown[]) => void; debug?: boolean }): DingDongContext;
  agentgatePatched?: number;
}

const require = createRequire(import.meta.url);
const Context = require('ding-dong/lib/context.js') as ContextConstructor;

export function dingDongIsPatched(): boolean {
  return Context.agentgatePatched === 1;
}

export function createContext(socket: Duplex): DingDongContext {
  if (!dingDongIsPatched()) {
    throw new Error('ding-dong is not patched: run `npm install` (postinstall applies patches/ding-dong+0.1.7.patch)');
  }
  return new Context(socket, { logger: () => {}, debug: false });
}
