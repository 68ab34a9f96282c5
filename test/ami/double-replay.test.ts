// The AMI double against the recordings: every action the recorded client sent
// a real Asterisk 22 (ami-actions.log, ami-more.log) is written, byte for byte,
// to the double over TCP, and the double must answer the recorded messages:
// the same headers, in the same order, with the same values, and the same
// events in the same place. The double starts in the state Asterisk was in
// (queues.conf, the dialplan of extensions.conf); what the log's earlier
// actions changed (members, globals, astdb) the double changes itself.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { asteriskManager } from '../../lib/ami/manager.ts';
import { flattenHeaders } from '../../lib/ami/parser.ts';
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';
import { waitFor } from './helpers.ts';
import { blocks, expectedMessages, quotedReads, recording } from './recordings.ts';

type Message = Record<string, string>;

// Values that differ on every run, compared as placeholders:
// - Timestamp (Ping), LoginTime, LastPause, LastCall: wall-clock Unix times of
//   the reply or of the change (0, "never", is still compared as is);
// - Uptime, LastReload (FullyBooted): seconds since the process started;
// - "N secs ago" in `queue show` output: seconds elapsed since login or pause.
// ActionID is not among them: the recorded actions are replayed verbatim, so
// the recorded ids come back. Uniqueids do not occur in these two logs.
const CLOCK = new Set(['timestamp', 'logintime', 'lastpause', 'lastcall', 'uptime', 'lastreload']);

function normalise(m: Message): Array<[string, string]> {
  return Object.entries(m).map(([k, v]): [string, string] => {
    if (CLOCK.has(k) && /^\d+(\.\d+)?$/.test(v) && v !== '0') return [k, '<clock>'];
    if (k === 'output') return [k, v.replace(/\b\d+ secs ago/g, '<n> secs ago')];
    return [k, v];
  });
}

function rawNormalise(text: string): string {
  return text.replace(/^(Timestamp|LoginTime|LastPause|LastCall|Uptime|LastReload): [1-9][\d.]*\r$/gm, '$1: <clock>\r').replace(/\b\d+ secs ago/g, '<n> secs ago');
}

/** Section names of an Asterisk .conf file and their `key = value` lines. */
function conf(file: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let cur: Record<string, string> | undefined;
  for (const raw of recording(file).split('\n')) {
    const line = raw.replace(/;.*/, '').trim();
    const section = /^\[([^\]]+)\]/.exec(line);
    if (section?.[1]) out.set(section[1], (cur = {}));
    else if (cur && /^\w+\s*=/.test(line)) cur[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
  }
  return out;
}

const QUEUES = [...conf('queues.conf')].filter(([name]) => name !== 'general').map(([name, o]) => ({ name, strategy: o.strategy }));
const CONTEXTS = [...conf('extensions.conf').keys()].filter((c) => c !== 'general' && c !== 'globals');

let ami: AmiDouble | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await ami?.stop();
  ami = undefined;
});

async function start(over: Partial<AmiDoubleOptions> & Pick<AmiDoubleOptions, 'username' | 'secret'>): Promise<AmiDouble> {
  ami = await startAmiDouble({ queues: QUEUES, contexts: CONTEXTS, ...over });
  return ami;
}

/** A raw TCP session: everything read, and the messages the library's framing makes of it. */
function open(port: number): { socket: net.Socket; raw: () => string; messages: Message[]; closed: () => boolean } {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  const messages: Message[] = [];
  const feed = asteriskManager.createReader((m) => messages.push(flattenHeaders(m)));
  let raw = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    raw += d.toString('utf8');
    feed(d);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return { socket, raw: () => raw, messages, closed: () => closed };
}

interface Exchange {
  action: string;
  /** Every recorded read up to the next action, joined: the reply and the events that came with it. */
  replies: string;
}

/** The recorded session as the banner and one exchange per action, through Logoff. */
function session(file: string): { banner: string; exchanges: Exchange[]; after: ReturnType<typeof blocks> } {
  const list = blocks(file);
  const first = list.findIndex((b) => b.dir === 'sent');
  const banner = list
    .slice(0, first)
    .map((b) => b.text)
    .join('');
  const exchanges: Exchange[] = [];
  let i = first;
  while (i < list.length) {
    const action = list[i]?.text ?? '';
    // Logoff is answered by Goodbye alone and the close; later blocks are another session's.
    const logoff = /^Action: Logoff\r$/m.test(action);
    let replies = '';
    for (i += 1; i < list.length && list[i]?.dir === 'recv'; i += 1) {
      replies += list[i]?.text ?? '';
      if (logoff) {
        i += 1;
        break;
      }
    }
    exchanges.push({ action, replies });
    if (logoff) break;
  }
  return { banner, exchanges, after: list.slice(i) };
}

/** Every action of the file, counted another way, so none is left out. */
const actionLines = (file: string): number => recording(file).split('\n').filter((l) => l.startsWith('Action: ')).length;

/** Plays the exchanges in order, each action once the previous one's messages have all arrived. */
async function replay(port: number, file: string): Promise<void> {
  const { banner, exchanges } = session(file);
  const conn = open(port);
  await waitFor(() => conn.raw().length >= banner.length, 2000, 'the banner');
  expect(conn.raw().slice(0, banner.length)).toBe(banner);

  let total = 0;
  const slices: Array<{ action: string; from: number; expected: Message[] }> = [];
  for (const { action, replies } of exchanges) {
    const expected = expectedMessages(replies);
    slices.push({ action, from: total, expected });
    total += expected.length;
    conn.socket.write(action);
    await waitFor(() => conn.messages.length >= total, 2000, `${expected.length} message(s) answering ${JSON.stringify(action)}`).catch(
      (e: unknown) => {
        throw new Error(`${(e as Error).message}; got ${JSON.stringify(conn.messages.slice(slices.at(-1)?.from ?? 0))}`);
      },
    );
  }
  // Logoff ends the session: nothing more may come.
  await waitFor(conn.closed, 2000, 'the close after Logoff');
  for (const { action, from, expected } of slices) {
    expect.soft(conn.messages.slice(from, from + expected.length).map(normalise), action).toEqual(expected.map(normalise));
  }
  expect(conn.messages).toHaveLength(total);
  // And byte for byte: CR LF, "Name: value" spacing, nothing the framing forgives.
  expect(rawNormalise(conn.raw())).toBe(rawNormalise(banner + exchanges.map((e) => e.replies).join('')));
}

describe('the AMI double answers like the recorded Asterisk', () => {
  it('ami-actions.log: every action, every reply and list item, in order', async () => {
    const { exchanges, after } = session('ami-actions.log');
    expect(exchanges).toHaveLength(actionLines('ami-actions.log'));
    expect(after).toEqual([]);
    const double = await start({ username: 'admin', secret: 'amp111' });
    await replay(double.port, 'ami-actions.log');
  });

  it('ami-more.log, part 1: Events, Filter, the events sharing a read with the reply, a paused member, DBDel', async () => {
    const { exchanges, after } = session('ami-more.log');
    expect(exchanges).toHaveLength(actionLines('ami-more.log'));
    // Left after Logoff: one reply whose action was not recorded ("DBDel of a
    // key that does not exist"), the same reply as db3 above.
    expect(after.map((b) => b.dir)).toEqual(['recv']);
    expect(expectedMessages(after[0]?.text ?? '')).toEqual([{ response: 'Error', actionid: 'd1', message: 'Database entry could not be deleted' }]);
    // The log's header: this member "reads Status: 4 (INVALID) ... whose
    // context does not exist": outbound-noanswer was not in the dialplan yet.
    const double = await start({ username: 'lab', secret: 'labsecret', contexts: CONTEXTS.filter((c) => c !== 'outbound-noanswer') });
    await replay(double.port, 'ami-more.log');
  });

  it('ami-more.log, part 2: FullyBooted on login, Shutdown and the close on restart, Uptime from 0 after', async () => {
    const reads = quotedReads('ami-more.log');
    const before = expectedMessages(
      reads
        .filter((r) => r.conn === 1)
        .map((r) => r.text)
        .join(''),
    );
    const afterRestart = expectedMessages(
      reads
        .filter((r) => r.conn === 6)
        .map((r) => r.text)
        .join(''),
    );
    const double = await start({ username: 'lab', secret: 'labsecret' });
    // The logins are not in the log; the client logged in with events on, under the ids the replies carry.
    const login = (id: string) => `Action: Login\r\nActionID: ${id}\r\nUsername: lab\r\nSecret: labsecret\r\nEvents: on\r\n\r\n`;

    const first = open(double.port);
    first.socket.write(login('l1'));
    await waitFor(() => first.messages.length >= 2, 2000, 'login reply and FullyBooted');
    await double.restart();
    await waitFor(first.closed, 2000, 'the close on shutdown');
    expect(first.messages.map(normalise)).toEqual(before.map(normalise));

    const second = open(double.port);
    second.socket.write(login('l6'));
    await waitFor(() => second.messages.length >= 2, 2000, 'login reply and FullyBooted after the restart');
    expect(second.raw().startsWith('Asterisk Call Manager/11.0.0\r\n')).toBe(true);
    expect(second.messages.map(normalise)).toEqual(afterRestart.map(normalise));
    // Only a smaller Uptime tells a restart from a reconnect.
    expect(Number(second.messages[1]?.uptime)).toBeLessThan(Number(first.messages[1]?.uptime));
  });
});
