// The patched asterisk-manager (patches/asterisk-manager+0.2.0.patch), typed
// for the few calls AmiClient makes. The library is CommonJS without types. It
// writes header values as given: headers.ts checks them first, every action's
// and the Login's.
import { createRequire } from 'node:module';

/**
 * A message as the library parses it: lower-case header names, a repeated
 * header becomes an array, `Variable`/`ChanVariable` become name→value objects.
 */
export type RawMessage = Record<string, unknown>;

/** The items of an event list, handed to the callback as its third argument. */
export interface RawList {
  events: RawMessage[];
  complete: RawMessage;
}

/** An error the library detected itself (never a reply from Asterisk). */
export interface LibraryError extends Error {
  code?: 'AMI_TIMEOUT' | 'AMI_DISCONNECTED' | 'AMI_AUTH' | string;
  response?: RawMessage;
}

/** `err` is a LibraryError, or the raw `Response: Error` message. */
export type ActionCallback = (err: LibraryError | RawMessage | null | undefined, res?: RawMessage, list?: RawList) => void;

export interface ManagerOptions {
  actionTimeout: number;
  reconnect: { minMs: number; maxMs: number };
}

export interface AsteriskManager {
  on(event: string, listener: (...args: any[]) => void): void;
  removeAllListeners(): void;
  action(headers: Record<string, string>, callback: ActionCallback, timeoutMs?: number): string;
  keepConnected(): void;
  disconnect(callback?: () => void): void;
  drop(): void;
}

export interface ManagerModule {
  (port: number, host: string, username: string, secret: string, events: string | boolean, options?: ManagerOptions): AsteriskManager;
  backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number;
  createReader(onMessage: (message: RawMessage) => void): (chunk: Buffer | string) => void;
}

const require = createRequire(import.meta.url);
export const asteriskManager = require('asterisk-manager') as ManagerModule;
