// A bare ding-dong FastAGI server for the floors (targets/floor-dingdong.ts,
// asterisk/empty-agi.ts): the patched package's own server and Context, which
// hand over each line Asterisk sends.
import { createRequire } from 'node:module';
import type net from 'node:net';
import { freePort } from '../../support/free-port.ts';

export interface DingDongContext {
  on(event: 'line', listener: (line: string) => void): unknown;
  /** ding-dong's wrapper of the socket; it passes write() on to it. */
  stream: { write(data: string): unknown };
  end(): Promise<void>;
}

const require = createRequire(import.meta.url);
const dingDong = require('ding-dong') as (handler: (c: DingDongContext) => unknown) => { start(port: number, host: string): net.Server };

/** Starts `handler` on a free loopback port (ding-dong takes port 0 for "its default 3000", so one is picked first). */
export async function startDingDong(handler: (c: DingDongContext) => unknown): Promise<{ port: number; server: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = dingDong(handler).start(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
    });
    if (ok) return { port, server };
    if (attempt > 5) throw new Error('could not find a free port for ding-dong');
  }
}
