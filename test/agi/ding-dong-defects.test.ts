// The defect of ding-dong 0.1.7 that patches/ding-dong+0.1.7.patch still fixes,
// through ding-dong's own Context on a real socket. agentgate takes only the
// socket's lines from the Context; the protocol itself (environment, replies,
// HANGUP notices, quoting, one command at a time) is lib/agi's, tested in
// framing.test.ts, environment.test.ts, reply.test.ts, quote.test.ts,
// channel.test.ts, wire-safety.test.ts and server.test.ts. The test fails on the
// unpatched package (check: `npx patch-package --reverse`, run this file, then
// `npx patch-package` to re-apply; note that `npx patch-package ding-dong
// --reverse` regenerates the patch instead).
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentReads, session } from './recordings.ts';
import { waitFor } from '../support/wait.ts';

const require = createRequire(import.meta.url);
const Context = require('ding-dong/lib/context.js') as new (stream: net.Socket, opts?: { logger?: () => void }) => EventEmitter;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ding-dong 0.1.7 defect, fixed by the patch', () => {
  it('it parsed each read in place: a partial line was taken for a whole one and the rest of it dropped', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    peer.setNoDelay(true);
    const sock = await accepted;
    cleanups.push(() => {
      peer.destroy();
      sock.destroy();
      server.close();
    });
    const ctx = new Context(sock, { logger: () => {} });
    ctx.on('error', () => {});
    const lines: string[] = [];
    ctx.on('line', (line: string) => lines.push(line));

    // As Asterisk sends them: the recorded environment in its two reads, then
    // replies cut mid-line, one of them after a whole HANGUP line in the same read.
    const env = environmentReads(session('agi-session.log', 1));
    const reads = [...env, 'HANGUP\n200 result=1 (ba', 'r:baz)\n520-Invalid command syntax.  Proper usage follows:\n Usage: SAY', ' DIGITS\n520 End of proper usage.\n'];
    let written = 0;
    for (const chunk of reads) {
      peer.write(chunk);
      written += Buffer.byteLength(chunk);
      // Read before the next is written, so each chunk reaches the Context as a read of its own.
      await waitFor(() => sock.bytesRead >= written, 'the server to read the chunk');
    }
    const expected = [
      ...env.join('').split('\n').slice(0, -1),
      'HANGUP',
      '200 result=1 (bar:baz)',
      '520-Invalid command syntax.  Proper usage follows:',
      ' Usage: SAY DIGITS',
      '520 End of proper usage.',
    ];
    for (let waited = 0; lines.length < expected.length && waited < 500; waited += 10) await sleep(10);
    expect(env.length).toBeGreaterThan(1);
    expect(lines).toEqual(expected);
  });
});
