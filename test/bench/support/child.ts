// The benchmark runs each part in its own process, so the CPU and memory a
// process reports are its own: the service under test, the AMI double, AMI
// clients. They talk over Node's IPC channel: the parent calls a named command,
// the child answers it. Children's stdout goes to /dev/null (the service logs
// there as it would to a file); stderr stays visible, so a crash is seen.
import { fork, type ChildProcess } from 'node:child_process';
import module from 'node:module';

interface Request {
  id: number;
  cmd: string;
  args?: unknown;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Child {
  readonly pid: number;
  /** What the child sent with ready() (its port, ...). */
  readonly info: Record<string, unknown>;
  call<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop, then kills it (by its pid) if it has not exited in time. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Kills every child still running; for the runner's exit and SIGINT paths. */
export function killChildren(): void {
  for (const cp of live) if (cp.exitCode === null && cp.signalCode === null) cp.kill('SIGKILL');
}

/**
 * Forks `modulePath` once with BENCH_PRIME=1 and waits for it to exit: it loads
 * its modules and leaves (exitIfPriming), so that Node's compile cache (on when
 * execArgv imports bin/compile-cache.mjs, as `npm start` does) holds their
 * type-stripped sources and the measured process starts as a service's second
 * start does, without the TypeScript stripper in memory.
 */
function primeChild(modulePath: string, opts: { args?: string[]; env?: Record<string, string>; execArgv?: string[] }): Promise<void> {
  const cp = fork(modulePath, opts.args ?? [], {
    env: { ...process.env, ...opts.env, BENCH_PRIME: '1' },
    execArgv: opts.execArgv ?? [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  live.add(cp);
  return new Promise((resolve) => {
    cp.once('exit', () => {
      live.delete(cp);
      resolve();
    });
  });
}

/** In a target, right after its imports: when started by primeChild, write the compile cache and exit. */
export function exitIfPriming(): void {
  if (process.env.BENCH_PRIME !== '1') return;
  module.flushCompileCache?.();
  process.exit(0);
}

export async function startChild(
  modulePath: string,
  opts: { args?: string[]; env?: Record<string, string>; execArgv?: string[]; readyTimeoutMs?: number; prime?: boolean } = {},
): Promise<Child> {
  if (opts.prime) await primeChild(modulePath, opts);
  const cp = fork(modulePath, opts.args ?? [], {
    env: { ...process.env, ...opts.env },
    execArgv: opts.execArgv ?? [],
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  live.add(cp);
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const exited = new Promise<void>((resolve) => cp.once('exit', () => resolve()));
  cp.once('exit', (code, signal) => {
    live.delete(cp);
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(`${modulePath} exited (code ${code}, signal ${signal}) before answering`));
    }
    waiting.clear();
  });
  cp.on('message', (m: Reply | { ready: Record<string, unknown> }) => {
    if ('ready' in m) return;
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    clearTimeout(w.timer);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(`${modulePath}: ${m.error}`));
  });

  const child = (info: Record<string, unknown>): Child => ({
    pid: cp.pid!,
    info,
    call<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${modulePath}: no answer to ${cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        cp.send({ id, cmd, args } satisfies Request);
      });
    },
    async stop() {
      if (cp.exitCode !== null || cp.signalCode !== null) return;
      const id = nextId++;
      cp.send({ id, cmd: 'stop' } satisfies Request, () => undefined);
      const timer = setTimeout(() => cp.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  });

  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      cp.kill('SIGKILL');
      reject(new Error(`${modulePath} did not start within ${opts.readyTimeoutMs ?? 15_000} ms`));
    }, opts.readyTimeoutMs ?? 15_000);
    cp.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${modulePath} exited with code ${code} while starting`));
    });
    cp.on('message', (m: { ready?: Record<string, unknown> }) => {
      if (!m.ready) return;
      clearTimeout(timer);
      resolve(child(m.ready));
    });
  });
}

export type Handlers = Record<string, (args: any) => unknown>;

/**
 * The child's side: answers the parent's commands with `handlers`. `stop`
 * runs handlers.stop (if any) and exits. Losing the parent ends the child too:
 * a benchmark must never leave a process behind.
 */
export function serve(handlers: Handlers, info: Record<string, unknown> = {}): void {
  process.on('message', (m: Request) => {
    const handler = handlers[m.cmd];
    void (async () => {
      try {
        if (!handler && m.cmd !== 'stop') throw new Error(`unknown command ${m.cmd}`);
        const result = handler ? await handler(m.args) : undefined;
        if (m.cmd === 'stop') process.exit(0);
        process.send!({ id: m.id, ok: true, result } satisfies Reply);
      } catch (err) {
        if (m.cmd === 'stop') process.exit(1);
        process.send!({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) } satisfies Reply);
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: info });
}
