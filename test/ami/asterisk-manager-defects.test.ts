// One test per defect of asterisk-manager 0.2.0 fixed in
// patches/asterisk-manager+0.2.0.patch, each driving the library directly
// against the AMI double (which reads input as Asterisk does). Every test here
// fails on the unpatched library; see library.ts for how to run them so. What
// agentgate does above the library is tested in client-*.test.ts: among it the
// one guard against CR, LF, NUL and over-long header lines (headers.ts), and
// connecting when Asterisk is not up yet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAmiDouble, type AmiDouble } from '../doubles/ami-asterisk.ts';
import { header, next, waitFor, within } from './helpers.ts';
import { Manager, type Callback, type RawManager } from './library.ts';

const USER = 'admin';
const SECRET = 'amp111';
const FAST = { actionTimeout: 500, reconnect: { minMs: 20, maxMs: 80 } };

let ami: AmiDouble;
const managers: RawManager[] = [];

beforeEach(async () => {
  ami = await startAmiDouble({ username: USER, secret: SECRET, queues: ['8008', '8009'] });
});

afterEach(async () => {
  for (const m of managers.splice(0)) m.disconnect();
  await ami.stop();
});

function manager(opts: { secret?: string; events?: unknown; options?: unknown } = {}): RawManager {
  const m = Manager(ami.port, '127.0.0.1', USER, opts.secret ?? SECRET, opts.events ?? false, opts.options ?? FAST);
  managers.push(m);
  return m;
}

async function loggedIn(opts: { events?: unknown } = {}): Promise<RawManager> {
  const before = ami.logins;
  const m = manager(opts);
  // Logged in as the library sees it (the unpatched one cannot tell: there the double's count is all there is).
  await waitFor(() => ami.logins > before && (m.isLoggedIn?.() ?? true), 1000, 'login');
  return m;
}

/**
 * An ordering barrier: a Ping, answered. Asterisk reads and answers in order
 * on one connection, so whatever was written before it, either way, has been
 * read by then, and the library has emitted the events that came before.
 */
async function barrier(m: RawManager): Promise<void> {
  const { err, res } = await call(m, { action: 'Ping' });
  expect(err).toBeFalsy();
  expect(res.ping).toBe('Pong');
}

function call(m: RawManager, req: Record<string, unknown>, ms = 1000): Promise<{ err: any; res: any; list: any }> {
  return within(
    ms,
    new Promise((resolve) => {
      const cb: Callback = (err, res, list) => resolve({ err, res, list });
      m.action(req, cb);
    }),
    `reply to ${String(req.action)}`,
  );
}

describe('header names lower-cased and lines sorted', () => {
  it('an action goes out as written: Action first, then ActionID, then its headers in order and spelling', async () => {
    const m = await loggedIn();
    const { err } = await call(m, { Action: 'UserEvent', UserEvent: 'AgentLogin', QueueName: '8008', Agent: '7001' });
    expect(err).toBeFalsy();
    const sent = ami.actions.at(-1) ?? {};
    expect(Object.keys(sent)).toEqual(['Action', 'ActionID', 'UserEvent', 'QueueName', 'Agent']);
    expect(sent).toMatchObject({ Action: 'UserEvent', UserEvent: 'AgentLogin', QueueName: '8008', Agent: '7001' });
  });
});

describe('login sends Event: where Asterisk reads Events:', () => {
  it('a login with events off is sent no events', async () => {
    const m = await loggedIn({ events: false });
    const login = ami.actions.find((a) => header(a, 'Action')?.toLowerCase() === 'login') ?? {};
    expect(header(login, 'Events')).toBe('off');
    const seen: string[] = [];
    m.on('managerevent', (e: { event: string }) => seen.push(e.event));
    ami.addMember('8008', 'Local/100@from-queue/n');
    await barrier(m);
    expect(seen).toEqual([]);
  });
});

describe('a wrong secret is silent and actions queued before login wait forever', () => {
  it('reports the failure once, fails the queued action, and does not reconnect', async () => {
    const m = manager({ secret: 'wrong' });
    const closed = next(m, 'close', 1000);
    const reconnects: unknown[] = [];
    m.on('reconnecting', (r: unknown) => reconnects.push(r));
    m.keepConnected();
    const failed = next(m, 'loginfailed', 1000);
    const queued = call(m, { action: 'Ping' });
    const [err] = await failed;
    expect(err.code).toBe('AMI_AUTH');
    expect(err.message).toBe('Authentication failed');
    expect((await queued).err?.code).toBe('AMI_AUTH');
    // Asterisk closes after the failure; the library decides at that close
    // whether to reconnect (and says so before it schedules one).
    await closed;
    expect(reconnects).toEqual([]);
    expect(ami.connections).toBe(1);
    expect(ami.loginFailures).toBe(1);
  });
});

describe('list replies call back with the first message only', () => {
  it('QueueStatus is answered with every item, and the items stay out of the event stream', async () => {
    ami.addMember('8008', 'Local/1@from-queue/n');
    ami.addMember('8008', 'Local/2@from-queue/n');
    ami.addMember('8008', 'Local/3@from-queue/n');
    const m = await loggedIn({ events: true });
    const stray: string[] = [];
    m.on('managerevent', (e: { event: string }) => stray.push(e.event));
    const { err, res, list } = await call(m, { action: 'QueueStatus', queue: '8008' });
    expect(err).toBeFalsy();
    expect(res.eventlist).toBe('start');
    expect(list?.events.map((e: { event: string }) => e.event)).toEqual(['QueueParams', 'QueueMember', 'QueueMember', 'QueueMember']);
    expect(list?.complete.event).toBe('QueueStatusComplete');
    await barrier(m);
    expect(stray.filter((e) => e.startsWith('Queue'))).toEqual([]);
  });
});

describe('in-flight actions are never answered when the connection drops', () => {
  it('fails the action with AMI_DISCONNECTED as soon as the connection closes', async () => {
    const m = await loggedIn();
    ami.stall(true);
    const sent = ami.bytesReceived;
    const pending = call(m, { action: 'Ping' }, 400);
    await waitFor(() => ami.bytesReceived > sent, 1000, 'the Ping to reach Asterisk');
    ami.dropConnections();
    expect((await pending).err?.code).toBe('AMI_DISCONNECTED');
  });
});

describe('no timeouts', () => {
  it('an action with no reply fails with AMI_TIMEOUT', async () => {
    const m = await loggedIn();
    ami.stall(true);
    const started = Date.now();
    const { err } = await call(m, { action: 'Ping' }, 1500);
    expect(err?.code).toBe('AMI_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('action ids from Date.now() sharing a namespace with event names', () => {
  it('ids are unique, never numeric timestamps', async () => {
    const m = await loggedIn();
    await Promise.all(Array.from({ length: 300 }, () => call(m, { action: 'Ping' })));
    const ids = ami.actions.filter((a) => header(a, 'Action') === 'Ping').map((a) => header(a, 'ActionID') ?? '');
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    expect(ids.filter((id) => /^\d+$/.test(id))).toEqual([]);
  });
});

describe('back-off linear 10-60 s without jitter', () => {
  it('reconnects with capped exponential back-off and jitter', async () => {
    await ami.refuse(true);
    const m = manager({ options: { actionTimeout: 500, reconnect: { minMs: 8, maxMs: 64 } } });
    const delays: number[] = [];
    m.on('reconnecting', (r: { delayMs: number }) => delays.push(r.delayMs));
    m.keepConnected();
    await waitFor(() => delays.length >= 8, 2000, '8 reconnect attempts');
    delays.slice(0, 8).forEach((d, attempt) => {
      const cap = Math.min(64, 8 * 2 ** attempt);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    });
    expect(Manager.backoffDelay?.(10, 8, 64, () => 0)).toBe(32);
    expect(Manager.backoffDelay?.(10, 8, 64, () => 1)).toBe(64);
    expect(Manager.backoffDelay?.(0, 8, 64, () => 1)).toBe(8);
  });
});

describe('bad credentials reconnect forever', () => {
  it('keepConnected() makes no further attempt in the 70 s after Authentication failed', async () => {
    // Fake timers stand in for a minute of back-off (the unpatched library
    // waits 10 s, then 20 s ...); sockets stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const m = manager({ secret: 'wrong' });
      m.keepConnected();
      for (let elapsed = 0; elapsed < 70_000; elapsed += 250) {
        await vi.advanceTimersByTimeAsync(250);
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      vi.useRealTimers();
    }
    // Barrier: the double accepts connections in the order they were opened,
    // so once a probe has logged in, any connection the library opened before
    // it has been counted.
    await loggedIn();
    expect(ami.loginFailures).toBe(1);
    expect(ami.connections).toBe(2); // the refused one and the probe
  });
});

describe('reader state kept across connections', () => {
  it('a reply cut by a drop does not corrupt the next connection', async () => {
    const m = await loggedIn();
    ami.sendRaw('Response: Success\r\nActionID: stale\r\nMessage: cut sho');
    // No wait needed: TCP delivers the cut reply before the close awaited below.
    const closed = next(m, 'close', 1000);
    ami.dropConnections();
    await closed;
    const login = within(
      1000,
      new Promise<unknown>((resolve) => m.connect(ami.port, '127.0.0.1', () => m.login((err?: unknown) => resolve(err)))),
      'login on the new connection',
    );
    expect(await login).toBeFalsy();
    const { err, res } = await call(m, { action: 'Ping' });
    expect(err).toBeFalsy();
    expect(res.ping).toBe('Pong');
  });
});
