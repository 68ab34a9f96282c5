// The framing (the patched library's reader) and the normalisation
// (lib/ami/parser.ts) checked against what a real Asterisk 22 sent, byte for
// byte: the recorded reads, then the same bytes cut every other way.
import { describe, expect, it } from 'vitest';
import { errorFromResponse, AmiAuthError } from '../../lib/ami/errors.ts';
import { parseTypedEvent } from '../../lib/ami/events.ts';
import { asteriskManager, type RawMessage } from '../../lib/ami/manager.ts';
import { flattenHeaders, toEvent, toResponse } from '../../lib/ami/parser.ts';
import { blocks, expectedMessages, quotedReads } from './recordings.ts';

function parse(reads: Array<string | Buffer>): RawMessage[] {
  const out: RawMessage[] = [];
  const feed = asteriskManager.createReader((m) => out.push(m));
  for (const r of reads) feed(r);
  return out;
}

function cut(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

// Deterministic pseudo-random cuts, so a failure can be replayed.
function randomCuts(bytes: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let i = 0; i < bytes.length; ) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % 97);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

const FILES = ['ami-actions.log', 'ami-more.log', 'ami-queue-call-answered.log', 'ami-queue-call-noanswer.log', 'ami-events-during-agi.log'];

describe.each(FILES)('%s', (file) => {
  const reads = blocks(file)
    .filter((b) => b.dir === 'recv')
    .map((b) => b.text);
  const stream = reads.join('');
  const expected = expectedMessages(stream);

  it('the recorded reads parse to exactly the messages on the wire', () => {
    expect(expected.length).toBeGreaterThan(3);
    expect(parse(reads).map(flattenHeaders)).toEqual(expected);
  });

  it('gives the same messages however the bytes are cut into reads', () => {
    const bytes = Buffer.from(stream, 'utf8');
    for (const size of [1, 2, 3, 7, 64, 1500]) {
      expect(parse(cut(bytes, size)).map(flattenHeaders), `reads of ${size} bytes`).toEqual(expected);
    }
    for (const seed of [1, 2, 3]) {
      expect(parse(randomCuts(bytes, seed)).map(flattenHeaders), `random cuts, seed ${seed}`).toEqual(expected);
    }
  });
});

describe('replies split across reads (ami-actions.log)', () => {
  const recv = blocks('ami-actions.log').filter((b) => b.dir === 'recv');

  it('the recording does hold replies cut mid-message', () => {
    expect(recv.some((b) => !b.text.endsWith('\r\n\r\n') && !b.text.startsWith('Asterisk Call Manager'))).toBe(true);
  });

  it('Getvar of DEVICE_STATE, cut after the ActionID, reads whole', () => {
    const gv4 = parse(recv.map((b) => b.text)).find((m) => m.actionid === 'gv4');
    expect(gv4).toBeDefined();
    const res = toResponse(gv4 ?? {});
    expect(res.response).toBe('Success');
    expect(res.headers.variable).toBe('DEVICE_STATE(Custom:QUEUE79112223344*8008)');
    expect(res.headers.value).toBe('INUSE');
  });

  it('Command output, cut after the ActionID, keeps every Output line in order', () => {
    const messages = parse(recv.map((b) => b.text));
    const cmd2 = toResponse(messages.find((m) => m.actionid === 'cmd2') ?? {});
    expect(cmd2.message).toBe('Command output follows');
    expect(cmd2.output).toEqual([
      '/Queue/PersistentMembers/8008                     : Local/79112223344@outbound-allroutes/n;1;0;Mobile 79112223344;Local/79112223344@outbound-allroutes/n;;0',
      '/Queue/PersistentMembers/8009                     : Local/79112223344@outbound-allroutes/n;2;0;Mobile 79112223344;Custom:MOBILE79112223344;;0',
      '2 results found.',
    ]);
    const cmd1 = toResponse(messages.find((m) => m.actionid === 'cmd1') ?? {});
    expect(cmd1.output).toHaveLength(6);
    expect(cmd1.output.slice(-2)).toEqual(['', '']);
  });

  it('Getvar of a variable never set reads an empty Value', () => {
    const gv3 = toResponse(parse(recv.map((b) => b.text)).find((m) => m.actionid === 'gv3') ?? {});
    expect(gv3.headers.value).toBe('');
  });
});

describe('events in the same read as the reply (ami-more.log)', () => {
  const recv = blocks('ami-more.log').filter((b) => b.dir === 'recv');

  it('the QueueAdd reply and its QueueMemberAdded arrive in one read and come out as two messages', () => {
    const read = recv.find((b) => b.text.includes('ActionID: add1'));
    expect(read?.text).toContain('Event: QueueMemberAdded');
    const [reply, event] = parse([read?.text ?? '']);
    expect(reply?.response).toBe('Success');
    expect(reply?.message).toBe('Added interface to queue');
    const added = parseTypedEvent('QueueMemberAdded', toEvent(event ?? {}));
    expect(added).toMatchObject({ queue: '8008', name: 'Ivan Petrov', status: 4, paused: false, penalty: 1, membership: 'dynamic' });
  });
});

describe('an Asterisk restart as a client sees it (ami-more.log, part 2)', () => {
  it('FullyBooted at each login; the Uptime falls back to 0 after the restart', () => {
    const reads = quotedReads('ami-more.log');
    const byConn = new Map<number, string[]>();
    for (const r of reads) byConn.set(r.conn, [...(byConn.get(r.conn) ?? []), r.text]);
    const first = parse(byConn.get(1) ?? []).map(toEvent);
    expect(first.map((e) => e.name)).toEqual(['', 'FullyBooted', 'Shutdown']);
    expect(parseTypedEvent('FullyBooted', first[1] ?? toEvent({})).uptime).toBe(60);
    const after = parse(byConn.get(6) ?? []).map(toEvent);
    expect(parseTypedEvent('FullyBooted', after[1] ?? toEvent({})).uptime).toBe(0);
  });
});

describe('a wrong secret (ami-login-failure.log)', () => {
  it('reads as AmiAuthError', () => {
    const [reply] = parse(quotedReads('ami-login-failure.log').map((r) => r.text));
    const err = errorFromResponse(toResponse(reply ?? {}), 'Login');
    expect(err).toBeInstanceOf(AmiAuthError);
    expect(err.message).toBe('Authentication failed');
  });
});

describe('UTF-8', () => {
  it('a member name cut mid-character between reads stays whole', () => {
    const bytes = Buffer.from('Event: QueueMemberAdded\r\nQueue: 8008\r\nMemberName: Иван Петров\r\nPaused: 0\r\n\r\n', 'utf8');
    const at = bytes.indexOf(Buffer.from('Иван', 'utf8')) + 1; // inside the first two-byte character
    const [event] = parse([bytes.subarray(0, at), bytes.subarray(at)]);
    expect(parseTypedEvent('QueueMemberAdded', toEvent(event ?? {})).name).toBe('Иван Петров');
  });
});
