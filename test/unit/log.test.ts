// The service's log lines: never lost at exit or in a crash, never a stall
// behind a log reader that stops reading, and PINs and secrets masked (lib/log.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';

const LOG = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib/log.ts')).href;

interface Run {
  lines: Record<string, unknown>[];
  code: number | null;
}

// A child that builds the service's logger and runs `body` (source text with
// `log` in scope); its stdout read from the start, or only after `readAfterMs`.
function runChild(body: string, readAfterMs = 0): Promise<Run> {
  const src = `const { createLogger } = await import(${JSON.stringify(LOG)});
    const log = createLogger('info');
    ${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    if (readAfterMs > 0) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), readAfterMs);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, code });
    });
  });
}

describe('the service logger', () => {
  it('loses nothing at process.exit() or in a crash right after logging, more than a pipe holds, read late', async () => {
    // 600 lines of 3 KB (1.8 MB against a 64 KB pipe), the reader starting 200 ms late.
    const burst = `for (let i = 0; i < 600; i++) log.info({ i, pad: 'x'.repeat(3000) }, 'line');`;
    // Every line, once. Not always in order: a write still in flight in libuv's
    // threadpool when the process exits can land after the lines the exit
    // flushes synchronously (sonic-boom's flushSync; seen in CI as 0, 6..10,
    // 1..5, ...). Each line carries its time.
    const all = [...Array(600).keys()];
    const exit = await runChild(`${burst} process.exit(3);`, 200);
    expect(exit.code).toBe(3);
    expect(exit.lines.map((l) => l.i as number).sort((a, b) => a - b)).toEqual(all);
    const crash = await runChild(`${burst} setImmediate(() => { throw new Error('boom'); });`, 200);
    expect(crash.code).toBe(1);
    expect(crash.lines.map((l) => l.i as number).sort((a, b) => a - b)).toEqual(all);
  });

  it('never stalls the process when the log reader stops reading (a full pipe)', async () => {
    const src = `const { createLogger } = await import(${JSON.stringify(LOG)});
      const log = createLogger('info');
      setInterval(() => process.stderr.write('tick\\n'), 20);
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 500; j++) log.info({ i, j, pad: 'x'.repeat(200) }, 'filling the pipe');
        await new Promise((r) => setTimeout(r, 25));
      }
      process.stderr.write('logged\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // 20,000 lines (5 MB) against a 64 KB pipe nobody reads
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    try {
      await waitFor(() => err.includes('logged'), 'the child to log everything and go on', 20_000);
      expect(err.split('tick').length).toBeGreaterThan(20);
      // Once read again, every line comes out.
      let lines = 0;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (lines += d.split('\n').length - 1));
      child.stdout.resume();
      await waitFor(() => lines >= 20_000, 'all 20,000 lines', 10_000);
    } finally {
      child.kill();
    }
  }, 40_000);

  it('masks PINs and secrets at the top of a line, one level down and in child bindings', async () => {
    const r = await runChild(`
      log.child({ secret: 's3cret' }).info({ pin: '4821', req: { token: 'tok', agent: '7001' }, headers: { authorization: 'Bearer x' } }, 'masked');
      process.exit(0);`);
    const text = JSON.stringify(r.lines);
    for (const s of ['s3cret', '4821', 'tok"', 'Bearer x']) expect(text).not.toContain(s);
    expect(r.lines[0]).toMatchObject({ pin: '[redacted]', secret: '[redacted]', req: { token: '[redacted]', agent: '7001' }, headers: { authorization: '[redacted]' } });
  });
});
