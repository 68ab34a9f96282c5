// Each defect of ding-dong 0.1.7 that patches/ding-dong+0.1.7.patch fixes, one
// test per defect, through ding-dong's own API on a real socket. Every test of
// the first group fails on the unpatched package (check: `npx patch-package
// --reverse`, run this file, then `npx patch-package` to re-apply; note that
// `npx patch-package ding-dong --reverse` regenerates the patch instead).
import { spawnSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAgiArgs } from '../doubles/fastagi-asterisk.ts';
import { environmentReads, session } from './recordings.ts';

const require = createRequire(import.meta.url);

interface Response {
  code: number;
  result?: string;
  value?: string;
  fields?: Record<string, string>;
}
interface Ctx extends EventEmitter {
  variables: Record<string, string>;
  sendCommand(line: string): Promise<Response>;
  getVariable(name: string): Promise<Response>;
  setVariable(name: string, value: string): Promise<Response>;
  streamFile(file: string, escape?: string): Promise<Response>;
  exec(...args: string[]): Promise<Response>;
}
type ContextCtor = new (stream: net.Socket, opts?: { logger?: () => void }) => Ctx;
const Context = require('ding-dong/lib/context.js') as ContextCtor;

const ENV = 'agi_network: yes\nagi_network_script: t\nagi_request: agi://127.0.0.1:4573/t\n\n';

// A ding-dong Context on the server side of a real socket; `peer` plays Asterisk.
interface Pair {
  ctx: Ctx;
  peer: net.Socket;
  /** The next line ding-dong wrote. */
  nextLine(): Promise<string>;
}
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function pair(env: string[] | null = [ENV]): Promise<Pair> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  peer.setNoDelay(true);
  const sock = await accepted;
  const ctx = new Context(sock, { logger: () => {} });
  ctx.on('error', () => {});
  cleanups.push(() => {
    peer.destroy();
    sock.destroy();
    server.close();
  });
  let buf = '';
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  peer.on('data', (d) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  peer.on('error', () => {});
  if (env) {
    const vars = new Promise((r) => ctx.once('variables', r));
    for (const chunk of env) {
      peer.write(chunk);
      await sleep(5);
    }
    await vars;
  }
  return {
    ctx,
    peer,
    nextLine: () => (lines.length ? Promise.resolve(lines.shift() as string) : new Promise((r) => waiting.push(r))),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a promise ends within `ms`: resolved, rejected, or still pending (the defect). */
async function within<T>(p: Promise<T>, ms = 500): Promise<{ value: T } | { error: Error & { code?: string } } | 'pending'> {
  return Promise.race([
    p.then((value) => ({ value }), (error: Error) => ({ error })),
    sleep(ms).then(() => 'pending' as const),
  ]);
}

describe('ding-dong 0.1.7 defects, fixed by the patch', () => {
  it('environment lines split at every ":" cut values holding colons', async () => {
    const reads = environmentReads(session('agi-session.log', 1)); // the two recorded reads
    const { ctx } = await pair(reads);
    expect(ctx.variables.agi_request).toBe('agi://127.0.0.1:4573/capture?queue=8008&x=a:b');
    expect(ctx.variables.agi_network_script).toBe('capture?queue=8008&x=a:b');
    expect(ctx.variables.agi_calleridname).toBe('Ivan: Petrov');
    expect(ctx.variables.agi_arg_3).toBe('a:b');
  });

  describe('a line that is not `NNN result=...` left the pending command unsettled forever', () => {
    it.each([
      ['510', ['510 Invalid or unknown command\n'], 510],
      ['HANGUP then 511', ['HANGUP\n', '511 Command Not Permitted on a dead channel or intercept routine\n'], 511],
      ['one-line 520', ['520 Invalid command syntax.  Proper usage not available.\n'], 520],
      ['multi-line 520', ['520-Invalid command syntax.  Proper usage follows:\n', ' Usage: SAY DIGITS <number> <escape digits>\n', '520 End of proper usage.\n'], 520],
    ])('%s settles it', async (_, replies, code) => {
      const { ctx, peer, nextLine } = await pair();
      const p = ctx.sendCommand('SAY DIGITS');
      await nextLine();
      for (const r of replies) {
        peer.write(r);
        await sleep(5);
      }
      expect(await within(p)).toMatchObject({ value: { code } });
    });
  });

  it('a reply split across two TCP reads was mangled', async () => {
    const { ctx, peer, nextLine } = await pair();
    const first = ctx.getVariable('FOO');
    await nextLine();
    peer.write('HANGUP\n200 result=1 (ba'); // the cut lands inside the reply, after a whole line
    await sleep(10);
    peer.write('r:baz)\n');
    expect(await within(first)).toMatchObject({ value: { value: 'bar:baz' } });

    const second = ctx.sendCommand('SAY DIGITS');
    await nextLine();
    peer.write('520-Invalid command syntax.  Proper usage follows:\n Usage: SAY');
    await sleep(10);
    peer.write(' DIGITS\n520 End of proper usage.\n');
    expect(await within(second)).toMatchObject({ value: { code: 520 } });
  });

  it('two commands in flight swapped replies', async () => {
    const { ctx, peer, nextLine } = await pair();
    const a = ctx.getVariable('A');
    const b = ctx.getVariable('B');
    for (let i = 0; i < 2; i++) {
      const name = parseAgiArgs(await nextLine())[2];
      peer.write(`200 result=1 (value of ${name})\n`);
    }
    expect(await within(a)).toMatchObject({ value: { value: 'value of A' } });
    expect(await within(b)).toMatchObject({ value: { value: 'value of B' } });
  });

  it('a socket closed by Asterisk left the pending command unsettled', async () => {
    const { ctx, peer, nextLine } = await pair();
    const p = ctx.getVariable('FOO');
    const queued = ctx.getVariable('BAR');
    await nextLine();
    peer.end();
    expect(await within(p)).toMatchObject({ error: { code: 'AGI_CLOSED' } });
    expect(await within(queued)).toMatchObject({ error: { code: 'AGI_CLOSED' } });
    expect(await within(ctx.getVariable('LATER'))).toMatchObject({ error: { code: 'AGI_CLOSED' } });
  });

  it('a socket error with no listener crashed the process', () => {
    // A handler as ding-dong's README writes it: no 'error' listener. Asterisk resets the connection.
    const out = runNode(`
      const net = require('net');
      const Context = require('ding-dong/lib/context.js');
      const server = net.createServer((socket) => { new Context(socket, { logger: () => {} }); });
      server.listen(0, '127.0.0.1', () => {
        const c = net.connect(server.address().port, '127.0.0.1', () => {
          c.write('agi_network: yes\\n');
          setTimeout(() => c.resetAndDestroy(), 30);
        });
        c.on('error', () => {});
        c.on('close', () => setTimeout(() => { console.log('still serving'); process.exit(0); }, 100));
      });`);
    expect(out).toMatchObject({ status: 0, stdout: 'still serving\n' });
  });

  it('an exception in an async handler became an unhandled rejection that killed the server', () => {
    const out = runNode(`
      const net = require('net');
      const agi = require('ding-dong');
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = probe.address().port;
        probe.close(() => {
          let n = 0;
          agi(async (ctx) => {
            await new Promise((r) => ctx.once('variables', r));
            if (++n === 1) throw new Error('script bug');
            console.log('second call served');
            process.exit(0);
          }).start(port, '127.0.0.1');
          const call = () => net.connect(port, '127.0.0.1').on('error', () => {}).end(${JSON.stringify(ENV)});
          call();
          setTimeout(call, 150);
        });
      });`);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('handler failed {"error":"script bug"}'); // ding-dong's own logger
    expect(out.stdout).toContain('second call served');
  });

  describe('arguments were not escaped', () => {
    it('a `"` or `\\` corrupted them', async () => {
      const { ctx, peer, nextLine } = await pair();
      const value = 'a "quoted" \\ back\\slash';
      const p = ctx.setVariable('X', value);
      expect(parseAgiArgs(await nextLine())).toEqual(['SET', 'VARIABLE', 'X', value]);
      peer.write('200 result=1\n');
      await p;
      const q = ctx.getVariable('A B');
      expect(parseAgiArgs(await nextLine())).toEqual(['GET', 'VARIABLE', 'A B']);
      peer.write('200 result=0\n');
      await q;
    });

    it('a newline injected a second AGI command', async () => {
      const { ctx, peer, nextLine } = await pair();
      expect(await within(ctx.setVariable('X', 'v\nEXEC System "touch /tmp/pwned"'))).toMatchObject({ error: { code: 'AGI_UNSAFE_VALUE' } });
      expect(await within(ctx.sendCommand('VERBOSE "x"\r\nEXEC System'))).toMatchObject({ error: { code: 'AGI_UNSAFE_VALUE' } });
      const p = ctx.getVariable('NEXT');
      expect(await nextLine()).toBe('GET VARIABLE "NEXT"'); // nothing of the refused commands went out
      peer.write('200 result=0\n');
      await p;
    });

    it('EXEC joined arguments with spaces though Asterisk reads only one', async () => {
      const { ctx, peer, nextLine } = await pair();
      const p = ctx.exec('Dial', 'SIP/100', '30', 'tT');
      expect(parseAgiArgs(await nextLine())).toEqual(['EXEC', 'Dial', 'SIP/100,30,tT']);
      peer.write('200 result=0\n');
      await p;
    });
  });

  it('extra reply fields were lost or glued into the result', async () => {
    const { ctx, peer, nextLine } = await pair();
    const cases: [string, Response][] = [
      ['200 result=0 endpos=11680', { code: 200, result: '0', fields: { endpos: '11680' } }],
      ['200 result=0 (timeout) endpos=8000', { code: 200, result: '0', value: 'timeout', fields: { endpos: '8000' } }],
      ['200 result=1 (value)', { code: 200, result: '1', value: 'value', fields: {} }],
      ['200 result=1 (a (nested) value)', { code: 200, result: '1', value: 'a (nested) value', fields: {} }],
    ];
    for (const [line, expected] of cases) {
      const p = ctx.streamFile('agent-loggedoff', '');
      await nextLine();
      peer.write(`${line}\n`);
      expect(await within(p)).toMatchObject({ value: expected });
    }
  });
});


describe('what the patched ding-dong keeps doing', () => {
  it('the HANGUP notice is not the reply: the reply that follows it settles the command', async () => {
    const { ctx, peer, nextLine } = await pair();
    const hangup = new Promise((r) => ctx.once('hangup', r));
    const p = ctx.getVariable('FOO');
    await nextLine();
    peer.write('HANGUP\n');
    await sleep(5);
    peer.write('200 result=1 (bar:baz)\n');
    expect(await within(p)).toMatchObject({ value: { code: 200, value: 'bar:baz' } });
    expect(await within(hangup)).toEqual({ value: undefined });
  });
});

function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 5000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
