// A real FastAGI server on a free port with the given scripts, its log lines
// captured as objects, and small timeouts so limit tests stay fast.
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { loadConfig, type Config } from '../../lib/config.ts';
import { createFastAgiServer, type AgiScript, type FastAgiServer } from '../../lib/agi/server.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  server: FastAgiServer;
  port: number;
  logs: LogLine[];
  config: Config['fastagi'];
  /** Log lines whose message contains `text`. */
  logged(text: string): LogLine[];
  /** The closing line of every finished session, in order. */
  closings(): LogLine[];
}

const running: FastAgiServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export async function startServer(scripts: Record<string, AgiScript>, overrides: Partial<Config['fastagi']> = {}, more: { refusalLogIntervalMs?: number } = {}): Promise<TestServer> {
  const config: Config['fastagi'] = {
    ...loadConfig({}).fastagi,
    port: 0,
    idleTimeoutMs: 2000,
    commandTimeoutMs: 2000,
    shutdownGraceMs: 500,
    ...overrides,
  };
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
  const server = createFastAgiServer({ config, logger, scripts, ...more });
  running.push(server);
  const { port } = await server.listen();
  return {
    server,
    port,
    logs,
    config,
    logged: (text) => logs.filter((l) => l.msg.includes(text)),
    closings: () => logs.filter((l) => l.msg === 'FastAGI session end'),
  };
}

export async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve, for scripts a test holds open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
