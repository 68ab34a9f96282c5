// Vitest global setup: the tests need a real Redis. Use REDIS_URL (or the usual
// 127.0.0.1:6379) when it answers; otherwise start a throwaway redis-server on a
// free port when the binary is installed; otherwise fail with what to do.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(500);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}


let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  if (await answers(wanted.hostname, Number(wanted.port || 6379))) {
    project.provide('redisUrl', wanted.toString());
    return async () => {};
  }
  const port = await freePort();
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => child!.once('error', () => reject(new Error(
    'No Redis answers at ' + wanted.host + ' and redis-server is not installed. Start one (apt-get install redis-server, or docker run -p 6379:6379 redis:7) or set REDIS_URL.'))));
  for (let i = 0; i < 50; i++) {
    if (await Promise.race([answers('127.0.0.1', port), failed])) {
      project.provide('redisUrl', `redis://127.0.0.1:${port}/0`);
      return async () => { child?.kill('SIGTERM'); };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server on port ${port} did not answer`);
}
