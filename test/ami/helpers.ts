// Small waiting helpers for the AMI tests: every wait is bounded, so a test
// run against the unpatched library fails instead of hanging.
import { pino, type Logger } from 'pino';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when the promise does not settle within ms. */
export function within<T>(ms: number, promise: Promise<T>, what = 'operation'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Polls until cond() holds; rejects after ms. */
export async function waitFor(cond: () => boolean, ms: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await sleep(5);
  }
}

interface Listenable {
  once(event: string, listener: (...args: any[]) => void): unknown;
}

/** The arguments of the next `event`, within ms. */
export function next(emitter: Listenable, event: string, ms: number): Promise<any[]> {
  return within(ms, new Promise<any[]>((resolve) => emitter.once(event, (...args: any[]) => resolve(args))), `event ${event}`);
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose lines land in `lines`, parsed. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

/** Header lookup in a double's action record, case-insensitive (the unpatched library spells names differently). */
export function header(record: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/**
 * The bytes one action took on the wire, from the double's record of it: its
 * "Name: value" lines with CR LF and the closing blank line, as the patched
 * library writes them. What a Ping used as an ordering barrier adds to a
 * byte count.
 */
export function wireBytes(record: Record<string, string>): number {
  return Object.entries(record).reduce((n, [k, v]) => n + Buffer.byteLength(`${k}: ${v}\r\n`), 2);
}
