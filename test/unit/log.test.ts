// The service's log lines: batched into few writes, never lost at exit or in a
// crash, and PINs and secrets masked (lib/log.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.ts';

const LOG = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib/log.ts')).href;

interface Run {
  lines: Record<string, unknown>[];
  code: number | null;
  /** Lines on stdout when the child first wrote to stderr. */
  linesAtMark: number;
  /** What the child wrote to stderr. */
  err: string;
}

// A child that builds the service logger and runs `body` (source text with
// `log` in scope, and `writes`: how many fs writes went to stdout).
function runChild(body: string): Promise<Run> {
  const src = `import fs from 'node:fs';
    let writes = 0;
    for (const name of ['write', 'writeSync']) {
      const real = fs[name];
      fs[name] = function (fd, ...rest) { if (fd === 1) writes++; return real.call(this, fd, ...rest); };
    }
    const { createServiceLogger } = await import(${JSON.stringify(LOG)});
    const log = createServiceLogger('info');
    ${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', src], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let linesAtMark = -1;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (linesAtMark < 0) linesAtMark = out.split('\n').filter(Boolean).length;
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, code, linesAtMark, err });
    });
  });
}

describe('the service logger', () => {
  it('writes lines logged moments apart together, soon, while the process goes on', async () => {
    const r = await runChild(`
      for (let i = 0; i < 10; i++) {
        log.info({ i }, 'line');
        await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => setTimeout(r, 200));
      process.stderr.write('writes=' + writes + '\\n');
      await new Promise((r) => setTimeout(r, 100));
      process.exit(0);`);
    expect(r.lines.map((l) => l.i)).toEqual([...Array(10).keys()]);
    // All there 200 ms on, before any exit, in a write or two (pino's own destination makes one a line).
    expect(r.linesAtMark).toBe(10);
    expect(Number(/writes=(\d+)/.exec(r.err)?.[1])).toBeLessThanOrEqual(2);
  });

  it('loses nothing at process.exit() or in a crash right after logging', async () => {
    const exit = await runChild(`log.info('before exit'); process.exit(3);`);
    expect(exit.code).toBe(3);
    expect(exit.lines.map((l) => l.msg)).toEqual(['before exit']);
    const crash = await runChild(`log.warn('before the crash'); setImmediate(() => { throw new Error('boom'); });`);
    expect(crash.code).toBe(1);
    expect(crash.lines.map((l) => l.msg)).toEqual(['before the crash']);
  });

  it('never stalls the process when the log reader stops reading (a full pipe)', async () => {
    const src = `const { createServiceLogger } = await import(${JSON.stringify(LOG)});
      const log = createServiceLogger('info');
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
