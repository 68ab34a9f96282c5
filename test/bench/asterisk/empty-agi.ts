// The floor of the real-Asterisk phase: a FastAGI server that answers nothing.
// A bare ding-dong server (the patched package, as the other floors use it)
// reads the environment Asterisk sends and closes the session at once: what a
// call costs Asterisk when a FastAGI script does no work at all. In a process
// of its own, so its CPU is its own.
import { createRequire } from 'node:module';
import type net from 'node:net';
import { freePort } from '../../support/free-port.ts';
import { serve } from '../support/child.ts';
import { statsHandlers } from '../support/self-stats.ts';

interface DingDongContext {
  // The patched Context hands over each line Asterisk sends (see floor-dingdong.ts).
  on(event: 'line', listener: (line: string) => void): unknown;
  end(): unknown;
}

const require = createRequire(import.meta.url);
const dingDong = require('ding-dong') as (handler: (c: DingDongContext) => void) => { start(port: number, host: string): net.Server };

let sessions = 0;
const handler = (context: DingDongContext) => {
  let ended = false;
  context.on('line', (line) => {
    // The environment ends with an empty line: then close, having sent nothing.
    if (line !== '' || ended) return;
    ended = true;
    sessions += 1;
    context.end();
  });
};

// ding-dong takes port 0 for "its default 3000", so a free port is picked first.
async function start(): Promise<{ port: number; server: net.Server }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = dingDong(handler).start(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
    });
    if (ok) return { port, server };
    if (attempt > 5) throw new Error('could not find a free port for the empty FastAGI server');
  }
}

const { port, server } = await start();
serve({ ...statsHandlers, sessions: () => sessions, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }, { port });
