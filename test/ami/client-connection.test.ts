// Connection life: drops, a stalled peer, bad credentials, restarts, close.
import { describe, expect, it } from 'vitest';
import type { AmiConnectedInfo } from '../../lib/ami/client.ts';
import * as E from '../../lib/ami/errors.ts';
import { capturingLogger, next, waitFor, wireBytes } from './helpers.ts';
import { client, connected, double } from './setup.ts';

describe('a dropped connection', () => {
  it('fails the actions in flight at once, reports disconnected, and reconnects emitting connected again', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 3000 });
    ami.stall(true);
    const started = Date.now();
    const sent = ami.bytesReceived;
    const inFlight = c.queueStatus().catch((e: unknown) => e);
    const disconnected = next(c, 'disconnected', 1000);
    const reconnected = next(c, 'connected', 2000);
    await waitFor(() => ami.bytesReceived > sent, 1000, 'the QueueStatus to reach Asterisk');
    ami.dropConnections();
    ami.stall(false);
    const err = await inFlight;
    expect(err).toBeInstanceOf(E.AmiDisconnectedError);
    expect(Date.now() - started).toBeLessThan(500);
    expect((await disconnected)[0]).toBeInstanceOf(E.AmiDisconnectedError);
    expect((await reconnected)[0]).toEqual({ uptime: undefined, restarted: false });
    expect(c.connected).toBe(true);
    await c.ping();
    expect(ami.logins).toBe(2);
  });

  it('while disconnected, actions fail fast instead of queueing', async () => {
    const ami = await double();
    const c = await connected(ami);
    await ami.refuse(true);
    const disconnected = next(c, 'disconnected', 1000);
    ami.dropConnections();
    await disconnected;
    expect(c.connected).toBe(false);
    const started = Date.now();
    await expect(c.queueAdd({ queue: '8008', interface: 'Local/1@x/n' })).rejects.toBeInstanceOf(E.AmiDisconnectedError);
    expect(Date.now() - started).toBeLessThan(50);
    const back = next(c, 'connected', 2000);
    await ami.refuse(false);
    await back;
    expect(ami.actions.some((a) => a.Action === 'QueueAdd')).toBe(false);
    await c.queueAdd({ queue: '8008', interface: 'Local/1@x/n' });
  });
});

describe('a stalled peer (accepts bytes, answers nothing)', () => {
  it('an action times out; the Ping heartbeat drops the connection; it reconnects once the peer answers again', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 150, pingIntervalMs: 100 });
    ami.stall(true);
    const started = Date.now();
    const err = await c.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.AmiTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await next(c, 'disconnected', 1000);
    const back = next(c, 'connected', 3000);
    ami.stall(false);
    await back;
    await c.ping();
  });

  it('one slow action does not drop a connection that still answers Ping', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 100 });
    let disconnects = 0;
    c.on('disconnected', () => (disconnects += 1));
    ami.stall(true);
    await expect(c.ping()).rejects.toBeInstanceOf(E.AmiTimeoutError);
    ami.stall(false);
    await c.ping();
    expect(disconnects).toBe(0);
    expect(ami.connections).toBe(1);
  });
});

describe('a wrong secret', () => {
  it('is reported once, clearly, without a reconnect storm', async () => {
    const ami = await double({ loginFailureDelayMs: 30 });
    const { logger, lines } = capturingLogger();
    const c = client(ami, { secret: 'not-the-secret', logger, reconnect: { minMs: 5, maxMs: 10 } });
    let reports = 0;
    c.on('authFailed', () => (reports += 1));
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.AmiAuthError);
    expect((err as E.AmiAuthError).code).toBe('AMI_AUTH_FAILED');
    expect((err as Error).message).toBe('Authentication failed');
    // Asterisk closes after the failure; the library decides at that close
    // whether to reconnect, and 'AMI reconnecting' is logged when it does.
    await waitFor(() => ami.openConnections === 0, 1000, 'the refused connection to close');
    expect(lines.filter((l) => l.msg === 'AMI reconnecting')).toEqual([]);
    expect(ami.connections).toBe(1);
    expect(reports).toBe(1);
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('AMI login refused (Authentication failed)');
    expect(errors[0]).toMatchObject({ username: 'admin', port: ami.port });
    expect(JSON.stringify(lines)).not.toContain('not-the-secret');
    expect(c.connected).toBe(false);
    await expect(c.connect()).rejects.toBe(err);
    await expect(c.ping()).rejects.toBeInstanceOf(E.AmiDisconnectedError);
  });
});

describe('header injection', () => {
  it('is refused with AmiUnsafeHeaderError and nothing is written to the socket', async () => {
    const ami = await double();
    const c = await connected(ami);
    const before = ami.bytesReceived;
    const evil = [
      'x\r\n\r\nAction: Command\r\nCommand: core stop now',
      'x\n\nAction: Command\nCommand: core stop now',
      'x\0y',
      `${'A'.repeat(1100)}Command: core stop now`,
    ];
    for (const value of evil) {
      await expect(c.action({ Action: 'Command', Command: value })).rejects.toBeInstanceOf(E.AmiUnsafeHeaderError);
      await expect(c.setvar('CALLERID_NAME', value)).rejects.toBeInstanceOf(E.AmiUnsafeHeaderError);
      await expect(c.userEvent('AgentLogin', { Name: value })).rejects.toBeInstanceOf(E.AmiUnsafeHeaderError);
      await expect(c.queueAdd({ queue: '8008', interface: 'Local/1@x/n', memberName: value.replace(/[;|,]/g, '') })).rejects.toBeInstanceOf(
        E.AmiUnsafeHeaderError,
      );
    }
    await expect(c.action({ Action: 'Ping', 'X\r\nAction': 'Command' })).rejects.toBeInstanceOf(E.AmiUnsafeHeaderError);
    // Ordering barrier: once a Ping is answered, whatever was written before it has been read.
    await c.ping();
    const ping = ami.actions.at(-1) ?? {};
    expect(ami.bytesReceived - wireBytes(ping)).toBe(before);
    expect(ami.actions.filter((a) => a.Action !== 'Login' && a !== ping)).toEqual([]);
    await c.ping();
  });
});

describe('restart detection', () => {
  it('connected reports restarted only when Asterisk came back with a smaller Uptime', async () => {
    const ami = await double({ uptime: 60, restartDownMs: 50 });
    ami.addMember('8008', 'Local/1@x/n');
    const c = client(ami, { events: 'system,agent' });
    const infos: AmiConnectedInfo[] = [];
    c.on('connected', (info) => infos.push(info));
    await c.connect();
    expect(infos).toEqual([{ uptime: 60, restarted: false }]);

    // A network drop is not a restart: Uptime went on counting.
    ami.dropConnections();
    await waitFor(() => infos.length === 2, 2000, 'reconnect after a drop');
    expect(infos[1]?.restarted).toBe(false);
    expect(infos[1]?.uptime).toBeGreaterThanOrEqual(60);

    const shutdown = next(c, 'event', 1000);
    await ami.restart();
    expect((await shutdown)[0].name).toBe('Shutdown');
    await waitFor(() => infos.length === 3, 3000, 'reconnect after the restart');
    expect(infos[2]).toEqual({ uptime: 0, restarted: true });
    expect(ami.members()).toEqual([]);
  });

  it('a login while Asterisk is still booting: the later FullyBooted reports the restart as a fresh connected', async () => {
    const ami = await double({ uptime: 60, restartDownMs: 20 });
    const c = client(ami, { events: 'system', actionTimeoutMs: 150 });
    const infos: AmiConnectedInfo[] = [];
    c.on('connected', (info) => infos.push(info));
    await c.connect();
    await ami.restart({ bootDelayMs: 400 });
    await waitFor(() => infos.length === 3, 3000, 'connected after the boot completes');
    expect(infos).toEqual([
      { uptime: 60, restarted: false },
      { uptime: undefined, restarted: false },
      { uptime: 0, restarted: true },
    ]);
  });

  it('without system events there is no Uptime, and no claim of a restart', async () => {
    const ami = await double({ restartDownMs: 20 });
    const c = client(ami, { events: 'off' });
    const infos: AmiConnectedInfo[] = [];
    c.on('connected', (info) => infos.push(info));
    await c.connect();
    await ami.restart();
    await waitFor(() => infos.length === 2, 3000, 'reconnect');
    expect(infos).toEqual([
      { uptime: undefined, restarted: false },
      { uptime: undefined, restarted: false },
    ]);
  });
});

describe('subscriptions', () => {
  it('the event mask and filters are re-applied after a reconnect', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.eventMask('agent');
    await c.filter('Event: QueueMemberAdded');
    const back = next(c, 'connected', 2000);
    ami.dropConnections();
    await back;
    const seen: string[] = [];
    c.on('event', (e) => seen.push(e.name));
    ami.addMember('8008', 'Local/1@x/n');
    ami.removeMember('8008', 'Local/1@x/n');
    await c.ping(); // the events were written before the Ping's answer
    expect(seen).toEqual(['QueueMemberAdded']);
    expect(ami.actions.filter((a) => a.Action === 'Filter')).toHaveLength(2);
  });
});

describe('close()', () => {
  it('logs off, fails what is pending, and never reconnects', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 3000 });
    ami.stall(true);
    const sent = ami.bytesReceived;
    const pending = c.ping().catch((e: unknown) => e);
    await waitFor(() => ami.bytesReceived > sent, 1000, 'the Ping to reach Asterisk');
    const before = ami.bytesReceived;
    await c.close();
    expect(await pending).toBeInstanceOf(E.AmiDisconnectedError);
    // The stalled peer swallowed the Logoff; close() did not wait past its short deadline.
    expect(ami.bytesReceived - before).toBeGreaterThan('Action: Logoff\r\nActionID: \r\n\r\n'.length);
    ami.stall(false);
    await waitFor(() => ami.openConnections === 0, 1000, 'the connection to close');
    expect(ami.connections).toBe(1);
    expect(c.connected).toBe(false);
    await expect(c.ping()).rejects.toBeInstanceOf(E.AmiDisconnectedError);
    await expect(c.connect()).rejects.toBeInstanceOf(E.AmiDisconnectedError);
  });

  it('a clean Logoff gets Goodbye and closes without a disconnected report', async () => {
    const ami = await double();
    const c = await connected(ami);
    let disconnects = 0;
    c.on('disconnected', () => (disconnects += 1));
    await c.close();
    await waitFor(() => ami.openConnections === 0, 1000, 'the connection to close');
    expect(ami.actions.at(-1)?.Action).toBe('Logoff');
    expect(disconnects).toBe(0);
    expect(ami.logins).toBe(1);
  });
});

describe('connect()', () => {
  it('waits while Asterisk refuses connections, and resolves at the first login', async () => {
    const ami = await double();
    await ami.refuse(true);
    const { logger, lines } = capturingLogger();
    const c = client(ami, { logger });
    let done = false;
    const p = c.connect().then(() => (done = true));
    await waitFor(() => lines.filter((l) => l.msg === 'AMI reconnecting').length >= 2, 2000, 'two refused connects');
    expect(done).toBe(false);
    await ami.refuse(false);
    await p;
    expect(c.connected).toBe(true);
    c.start();
    await c.connect();
    expect(ami.connections).toBe(1);
  });
});
