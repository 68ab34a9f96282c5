// Asterisk's side of one FastAGI session, lean enough to run thousands at once
// from one process: what shared/asterisk/agi-session.log shows, and nothing the
// benchmark does not need.
// - The environment in Asterisk's order and shape, in two writes cut after
//   agi_context, as the recording shows it arriving in two reads.
// - Commands read with Asterisk's own argument rules (parse_args in res_agi.c,
//   borrowed from the test double) and answered as Asterisk 22 answers them:
//   `200 result=1` for SET VARIABLE, `200 result=0` for EXEC MSet (its variables
//   split as Asterisk splits them), `200 result=0 endpos=11680` for STREAM FILE,
//   `200 result=-2` for an unknown application, `510 ...` for an unknown command.
// - An optional delay before every reply, and another before replies to prompt
//   commands, standing in for the time Asterisk spends playing a sound.
// - When the server closes its side, HANGUP and close, as recorded.
// The test double (test/doubles/fastagi-asterisk.ts) does much more (hangups
// mid-command, split replies, DTMF); this one only has to be fast and honest.
import net from 'node:net';
import { parseAgiArgs, separateAppArgs } from '../../doubles/fastagi-asterisk.ts';

export interface PeerSession {
  port: number;
  host?: string;
  /** agi_network_script, query string included: `queue-toggle?queue=8008`. */
  script: string;
  callerId: string;
  uniqueid: string;
  /** agi_arg_1..N */
  args?: readonly string[];
  /** Wait this long before every reply. */
  replyDelayMs?: number;
  /** Wait this long (on top) before answering a prompt: STREAM FILE, SAY DIGITS, GET DATA, EXEC Playback. */
  mediaDelayMs?: number;
  /** Give up (destroy the socket, error 'timeout') after this long. */
  timeoutMs: number;
  /** Keep every command line in the result (calibration runs). */
  record?: boolean;
}

export interface PeerResult {
  /** performance.now() when the server closed its side: the caller's dialplan goes on from here. */
  endedAt?: number;
  /** Commands the server sent (AGI round trips). */
  commands: number;
  /** Variables the server set with SET VARIABLE or EXEC MSet (last value wins). */
  variables: Record<string, string>;
  /** The command lines, when `record` was asked for. */
  lines?: string[];
  /** 'timeout', a socket error code, or 'closed without the server ending the session'. */
  error?: string;
}

const USAGE = '520 Invalid command syntax.  Proper usage not available.';
const KNOWN_APPS = new Set(['playback', 'set', 'mset', 'noop', 'wait', 'userevent', 'queuelog', 'verbose', 'log', 'read', 'background']);

function environment(s: PeerSession): [string, string] {
  const host = s.host ?? '127.0.0.1';
  const first =
    `agi_network: yes\nagi_network_script: ${s.script}\nagi_request: agi://${host}:${s.port}/${s.script}\n` +
    `agi_channel: Local/s@dummy-00000000;1\nagi_language: en\nagi_type: Local\nagi_uniqueid: ${s.uniqueid}\n` +
    `agi_version: 22.10.1\nagi_callerid: ${s.callerId}\nagi_calleridname: unknown\nagi_callingpres: 0\n` +
    `agi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\nagi_context: ivr-test\n`;
  let second = `agi_extension: s\nagi_priority: 3\nagi_enhanced: 0.0\nagi_accountcode: \nagi_threadid: 140207588394688\n`;
  (s.args ?? []).forEach((a, i) => {
    second += `agi_arg_${i + 1}: ${a}\n`;
  });
  return [first, `${second}\n`];
}

/** The reply Asterisk gives to `line`, and whether it is a prompt (media) command. */
export function replyTo(line: string, variables: Record<string, string>, callerId: string): { text: string; media: boolean } {
  const argv = parseAgiArgs(line);
  const w0 = argv[0]?.toUpperCase() ?? '';
  const w1 = argv[1]?.toUpperCase() ?? '';
  switch (w0) {
    case 'SET':
      if (w1 !== 'VARIABLE') break;
      if (argv.length !== 4) return { text: USAGE, media: false };
      variables[argv[2]!] = argv[3]!;
      return { text: '200 result=1', media: false };
    case 'GET': {
      if (w1 === 'VARIABLE') {
        const v = argv[2] === 'CALLERID(num)' ? callerId : variables[argv[2] ?? ''];
        return { text: v === undefined ? '200 result=0' : `200 result=1 (${v})`, media: false };
      }
      if (w1 === 'FULL') return { text: `200 result=1 (${(argv[3] ?? '').replace(/\$\{CALLERID\(num\)\}/g, callerId)})`, media: false };
      if (w1 === 'DATA') return { text: '200 result= (timeout)', media: true };
      break;
    }
    case 'STREAM':
      if (w1 === 'FILE') return { text: argv.length === 4 ? '200 result=0 endpos=11680' : USAGE, media: true };
      break;
    case 'SAY':
      if (w1 === 'DIGITS') return { text: argv.length === 4 ? '200 result=0' : USAGE, media: true };
      break;
    case 'EXEC': {
      const app = (argv[1] ?? '').toLowerCase();
      if (!KNOWN_APPS.has(app)) return { text: '200 result=-2', media: false };
      if (app === 'mset') {
        for (const pair of separateAppArgs(argv[2] ?? '', ',', 99)) {
          const [name, value] = separateAppArgs(pair, '=', 2);
          if (name !== undefined && value !== undefined) variables[name] = value;
        }
      }
      return { text: '200 result=0', media: app === 'playback' || app === 'background' };
    }
    case 'ANSWER':
    case 'NOOP':
      return { text: '200 result=0', media: false };
    case 'VERBOSE':
    case 'HANGUP':
      return { text: '200 result=1', media: false };
    case 'CHANNEL':
      return { text: '200 result=6', media: false };
  }
  return { text: '510 Invalid or unknown command', media: false };
}

/** Plays one session; never rejects (what went wrong is in `error`). */
export function playSession(s: PeerSession): Promise<PeerResult> {
  return new Promise((resolve) => {
    const result: PeerResult = { commands: 0, variables: Object.create(null) as Record<string, string> };
    const socket = net.connect({ port: s.port, host: s.host ?? '127.0.0.1', allowHalfOpen: true });
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const delayed = (s.replyDelayMs ?? 0) > 0 || (s.mediaDelayMs ?? 0) > 0;
    let inbound = '';
    let hangupDue = false;
    let writes = Promise.resolve();
    let done = false;

    const timer = setTimeout(() => {
      result.error ??= 'timeout';
      socket.destroy();
    }, s.timeoutMs);

    const send = (text: string, media: boolean) => {
      if (!delayed) {
        socket.write(text);
        return;
      }
      const ms = (s.replyDelayMs ?? 0) + (media ? (s.mediaDelayMs ?? 0) : 0);
      writes = writes.then(() => new Promise<void>((r) => setTimeout(() => {
        if (!socket.destroyed && socket.writable) socket.write(text);
        r();
      }, ms)));
    };

    socket.on('connect', () => {
      const [first, second] = environment(s);
      socket.write(first);
      // A turn of the event loop between the two writes, so they travel as two segments.
      setImmediate(() => {
        if (!socket.destroyed) socket.write(second);
      });
    });
    socket.on('data', (chunk: string) => {
      inbound += chunk;
      let nl: number;
      while ((nl = inbound.indexOf('\n')) >= 0) {
        const line = inbound.slice(0, nl);
        inbound = inbound.slice(nl + 1);
        result.commands += 1;
        if (s.record) (result.lines ??= []).push(line);
        const { text, media } = replyTo(line, result.variables, s.callerId);
        // After HANGUP Asterisk announces the dead channel before the next reply.
        send(`${hangupDue ? 'HANGUP\n' : ''}${text}\n`, media);
        hangupDue = /^HANGUP\b/i.test(line);
      }
    });
    socket.on('end', () => {
      result.endedAt = performance.now();
      void writes.then(() => {
        if (socket.destroyed) return;
        socket.write('HANGUP\n');
        socket.end();
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      result.error ??= err.code ?? err.message;
    });
    socket.on('close', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (result.endedAt === undefined) result.error ??= 'closed without the server ending the session';
      resolve(result);
    });
  });
}
