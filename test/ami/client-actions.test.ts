// Every typed action against the AMI double: what reaches the wire, what comes
// back, and each of Asterisk's error texts as a typed error.
import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import * as E from '../../lib/ami/errors.ts';
import { BadParamsError } from '../../lib/errors.ts';
import type { QueueMemberEvent } from '../../lib/ami/events.ts';
import { next } from './helpers.ts';
import { client, connected, double } from './setup.ts';

const MOBILE = 'Local/79112223344@outbound-allroutes/n';

/** Writes that reach the kernel from a socket to `port` (_write per chunk, _writev for a corked batch), until vi.restoreAllMocks(). */
function writesTo(port: number): number[] {
  const writes: number[] = [];
  const proto = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...a: unknown[]) => unknown>;
  for (const name of ['_write', '_writev'] as const) {
    const real = proto[name]!;
    vi.spyOn(proto, name).mockImplementation(function (this: net.Socket, ...a: unknown[]) {
      if (this.remotePort === port) writes.push(1);
      return real.apply(this, a);
    });
  }
  return writes;
}

describe('queue membership', () => {
  it('queueAdd writes the recorded headers, and the member appears with its QueueMemberAdded event', async () => {
    const ami = await double();
    const c = await connected(ami, { events: 'agent' });
    const added = next(c, 'QueueMemberAdded', 1000);
    await c.queueAdd({ queue: '8008', interface: MOBILE, penalty: 1, memberName: 'Mobile 79112223344', paused: false });
    const { ActionID, ...sent } = ami.actions.at(-1) ?? {};
    expect(ActionID).toMatch(/^am[0-9a-z]+-[0-9a-z]+$/);
    expect(sent).toEqual({ Action: 'QueueAdd', Queue: '8008', Interface: MOBILE, Penalty: '1', MemberName: 'Mobile 79112223344', Paused: 'false' });
    const [event] = (await added) as [QueueMemberEvent];
    expect(event).toMatchObject({ queue: '8008', interface: MOBILE, name: 'Mobile 79112223344', penalty: 1, paused: false, membership: 'dynamic' });
    expect(ami.members('8008').map((m) => m.interface)).toEqual([MOBILE]);
  });

  it('actions asked for in one tick leave in one write: a change\'s QueueAdd and QueueMemberRingInUse, a burst of lamps', async () => {
    const ami = await double();
    const c = await connected(ami);
    const writes = writesTo(ami.port);
    const before = ami.actions.length;
    try {
      await Promise.all([
        c.queueAdd({ queue: '8008', interface: MOBILE }),
        c.queueMemberRingInUse({ queue: '8008', interface: MOBILE, ringInUse: false }),
        c.setvar('DEVICE_STATE(Custom:QUEUE79112223344*8008)', 'INUSE'),
      ]);
    } finally {
      vi.restoreAllMocks();
    }
    expect(ami.actions.slice(before).map((a) => a.Action)).toEqual(['QueueAdd', 'QueueMemberRingInUse', 'Setvar']);
    expect(writes).toHaveLength(1);
    expect(ami.members('8008')[0]).toMatchObject({ ringinuse: 0 });
  });

  it('actions from different callbacks of one event-loop turn share the write too (several calls\' changes at once)', async () => {
    const ami = await double();
    const c = await connected(ami);
    const writes = writesTo(ami.port);
    try {
      // A callback later in the same turn (as another session's reply would be) asks for a lamp after this QueueAdd.
      const later = new Promise((resolve) => setImmediate(() => resolve(c.setvar('DEVICE_STATE(Custom:QUEUE79112223344*8008)', 'INUSE'))));
      await Promise.all([c.queueAdd({ queue: '8008', interface: MOBILE }), later]);
    } finally {
      vi.restoreAllMocks();
    }
    expect(writes).toHaveLength(1);
  });

  it('queueAdd: Already there, No such queue', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.queueAdd({ queue: '8008', interface: MOBILE });
    const again = await c.queueAdd({ queue: '8008', interface: MOBILE }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(E.AmiAlreadyThereError);
    expect((again as Error).message).toBe('Unable to add interface: Already there');
    const noQueue = await c.queueAdd({ queue: 'nosuchqueue', interface: MOBILE }).catch((e: unknown) => e);
    expect(noQueue).toBeInstanceOf(E.AmiNoSuchQueueError);
    expect((noQueue as Error).message).toBe('Unable to add interface to queue: No such queue');
  });

  it('queueAdd with a state interface and paused with a reason', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.queueAdd({ queue: '8009', interface: MOBILE, penalty: 2, stateInterface: 'Custom:MOBILE79112223344', paused: true, reason: 'login' });
    expect(ami.members('8009')[0]).toMatchObject({ stateInterface: 'Custom:MOBILE79112223344', penalty: 2, paused: true, pausedReason: 'login', status: 0 });
  });

  it('queueAdd refuses a member name Asterisk would corrupt, before anything is sent', async () => {
    const ami = await double();
    const c = await connected(ami);
    const before = ami.bytesReceived;
    await expect(c.queueAdd({ queue: '8008', interface: MOBILE, memberName: 'Petrov;Ivan' })).rejects.toBeInstanceOf(BadParamsError);
    expect(ami.bytesReceived).toBe(before);
  });

  it('queueRemove: removed, Not there, No such queue, Member not dynamic', async () => {
    const ami = await double({ staticMembers: [{ queue: '8009', interface: 'PJSIP/100' }] });
    const c = await connected(ami, { events: 'agent' });
    await c.queueAdd({ queue: '8008', interface: MOBILE });
    const removed = next(c, 'QueueMemberRemoved', 1000);
    await c.queueRemove({ queue: '8008', interface: MOBILE });
    expect(((await removed)[0] as QueueMemberEvent).interface).toBe(MOBILE);
    expect(ami.members('8008')).toEqual([]);
    await expect(c.queueRemove({ queue: '8008', interface: MOBILE })).rejects.toThrow(E.AmiNotThereError);
    const noQueue = await c.queueRemove({ queue: 'nosuchqueue', interface: MOBILE }).catch((e: unknown) => e);
    expect(noQueue).toBeInstanceOf(E.AmiNoSuchQueueError);
    expect((noQueue as Error).message).toBe('Unable to remove interface from queue: No such queue');
    const notDynamic = await c.queueRemove({ queue: '8009', interface: 'PJSIP/100' }).catch((e: unknown) => e);
    expect(notDynamic).toBeInstanceOf(E.AmiMemberNotDynamicError);
    expect((notDynamic as E.AmiError).code).toBe('AMI_MEMBER_NOT_DYNAMIC');
  });

  it('queuePause with a reason, in one queue and in all; Interface not found', async () => {
    const ami = await double();
    const c = await connected(ami, { events: 'agent' });
    await c.queueAdd({ queue: '8008', interface: MOBILE });
    await c.queueAdd({ queue: '8009', interface: MOBILE });
    const paused = next(c, 'QueueMemberPause', 1000);
    await c.queuePause({ queue: '8008', interface: MOBILE, paused: true, reason: 'lunch' });
    expect((await paused)[0]).toMatchObject({ queue: '8008', paused: true, pausedReason: 'lunch' });
    expect(ami.members().map((m) => [m.queue, m.paused])).toEqual([
      ['8008', true],
      ['8009', false],
    ]);
    await c.queuePause({ interface: MOBILE, paused: true });
    expect(ami.members().every((m) => m.paused)).toBe(true);
    const missing = await c.queuePause({ interface: 'Local/nobody@x/n', paused: true }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(E.AmiInterfaceNotFoundError);
    expect((missing as Error).message).toBe('Interface not found');
  });
});

describe('queue state', () => {
  it('queueStatus: params, members (paused as boolean, numbers parsed), filtered by queue and by member', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.queueAdd({ queue: '8008', interface: MOBILE, memberName: 'Ivan Petrov', penalty: 1 });
    await c.queueAdd({ queue: '8009', interface: MOBILE, memberName: 'Ivan Petrov', penalty: 2 });
    await c.queueAdd({ queue: '8009', interface: 'Local/2@x/n' });
    await c.queuePause({ queue: '8008', interface: MOBILE, paused: true, reason: 'lunch' });

    const one = await c.queueStatus({ queue: '8008' });
    expect(one.params.map((p) => [p.queue, p.strategy, p.max])).toEqual([['8008', 'ringall', 0]]);
    expect(one.members).toEqual([
      expect.objectContaining({ queue: '8008', name: 'Ivan Petrov', interface: MOBILE, stateInterface: MOBILE, membership: 'dynamic', penalty: 1, paused: true, pausedReason: 'lunch', inCall: false, status: 1 }),
    ]);
    expect(one.members[0]?.loginTime).toBeGreaterThan(1_700_000_000);
    expect(one.entries).toEqual([]);

    const byMember = await c.queueStatus({ member: MOBILE });
    // Asterisk's order, not queues.conf's: 8009 first (qs2 in ami-actions.log).
    expect(byMember.params.map((p) => p.queue)).toEqual(['8009', '8008']);
    expect(byMember.members.map((m) => [m.queue, m.penalty])).toEqual([
      ['8009', 2],
      ['8008', 1],
    ]);
    expect((await c.queueStatus()).members).toHaveLength(3);
  });

  it('queueSummary: logged in and available per queue', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.queueAdd({ queue: '8008', interface: MOBILE });
    await c.queueAdd({ queue: '8008', interface: 'Local/2@x/n', paused: true });
    expect(await c.queueSummary('8008')).toEqual([
      { queue: '8008', loggedIn: 2, available: 1, callers: 0, holdTime: 0, talkTime: 0, longestHoldTime: 0 },
    ]);
    expect((await c.queueSummary()).map((s) => s.queue)).toEqual(['8009', '8008']);
  });

  it('queueLog', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.queueLog({ queue: '8008', event: 'ADDMEMBER', interface: MOBILE, message: 'via fastagi' });
    expect(ami.queueLog).toEqual([
      expect.objectContaining({ Action: 'QueueLog', Queue: '8008', Event: 'ADDMEMBER', Interface: MOBILE, Message: 'via fastagi' }),
    ]);
    await expect(c.action({ Action: 'QueueLog', Queue: '8008' })).rejects.toThrow("Need 'Queue' and 'Event' parameters.");
  });
});

describe('variables, astdb, commands, events', () => {
  it('setvar/getvar of a global; getvar of a variable never set is empty', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.setvar('AGENTBYCALLERID_1001', '7001');
    expect(await c.getvar('AGENTBYCALLERID_1001')).toBe('7001');
    await c.setvar('AGENTBYCALLERID_1001', '');
    expect(await c.getvar('AGENTBYCALLERID_1001')).toBe('');
    expect(await c.getvar('NEVER_SET_VAR')).toBe('');
  });

  it('setvar of DEVICE_STATE(Custom:...) changes the state of members that watch it', async () => {
    const ami = await double();
    const c = await connected(ami, { events: 'agent,call' });
    await c.queueAdd({ queue: '8008', interface: MOBILE, stateInterface: 'Custom:MOBILE79112223344' });
    const status = next(c, 'QueueMemberStatus', 1000);
    const device = next(c, 'DeviceStateChange', 1000);
    await c.setvar('DEVICE_STATE(Custom:MOBILE79112223344)', 'INUSE');
    expect((await device)[0]).toEqual({ device: 'Custom:MOBILE79112223344', state: 'INUSE' });
    expect((await status)[0]).toMatchObject({ interface: MOBILE, status: 2 });
    expect(await c.getvar('DEVICE_STATE(Custom:MOBILE79112223344)')).toBe('INUSE');
  });

  it('dbPut/dbGet/dbDel: found, not found as undefined, delete of a missing key as false', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.dbPut('QPENALTY', '8008/agents/79112223344', '1');
    expect(await c.dbGet('QPENALTY', '8008/agents/79112223344')).toBe('1');
    expect(await c.dbGet('QPENALTY', '8008/agents/nobody')).toBeUndefined();
    expect(await c.dbDel('QPENALTY', '8008/agents/79112223344')).toBe(true);
    expect(await c.dbDel('QPENALTY', '8008/agents/79112223344')).toBe(false);
  });

  it('command returns the Output lines', async () => {
    const ami = await double({ commandOutput: (cmd) => [`${cmd} line 1`, '   indented', ''] });
    const c = await connected(ami);
    expect(await c.command('queue show 8008')).toEqual(['queue show 8008 line 1', '   indented', '']);
  });

  it('ping', async () => {
    const ami = await double();
    const c = await connected(ami);
    await c.ping();
    expect(ami.actions.at(-1)?.Action).toBe('Ping');
  });

  it('userEvent reaches another AMI client with its headers as written', async () => {
    const ami = await double();
    const sender = await connected(ami);
    const listener = await connected(ami, { events: 'user' });
    const seen = next(listener, 'event', 1000);
    await sender.userEvent('AgentLogin', { Agent: '79112223344', QueueName: '8008' });
    const [event] = await seen;
    expect(event.name).toBe('UserEvent');
    expect(event.headers).toMatchObject({ userevent: 'AgentLogin', agent: '79112223344', queuename: '8008', privilege: 'user,all' });
  });

  it('eventMask turns events on and off; filter keeps only what matches', async () => {
    const ami = await double();
    const c = await connected(ami);
    const seen: string[] = [];
    c.on('event', (e) => seen.push(e.name));
    ami.addMember('8008', 'Local/1@x/n');
    await c.ping(); // an event sent would have come before the Ping's answer
    expect(seen).toEqual([]);
    await c.eventMask('agent,call');
    await c.filter('Event: QueueMemberRemoved');
    ami.addMember('8008', 'Local/2@x/n');
    ami.removeMember('8008', 'Local/2@x/n');
    await c.ping();
    expect(seen).toEqual(['QueueMemberRemoved']);
  });
});

describe('errors Asterisk answers to any action', () => {
  it('an unknown action', async () => {
    const ami = await double();
    const c = await connected(ami);
    const err = await c.action({ Action: 'NoSuchAction' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.AmiActionError);
    expect((err as Error).message).toBe('Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.');
    expect((err as E.AmiError).action).toBe('NoSuchAction');
  });

  it('a missing header', async () => {
    const ami = await double();
    const c = await connected(ami);
    const err = await c.action({ Action: 'QueueAdd', Queue: '8008' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(E.AmiActionError);
    expect((err as Error).message).toBe("'Interface' not specified.");
  });

  it('Permission denied', async () => {
    const ami = await double({ denyActions: ['Command'] });
    const c = await connected(ami);
    await expect(c.command('core stop now')).rejects.toBeInstanceOf(E.AmiPermissionDeniedError);
  });

  it('the generic action returns the whole reply', async () => {
    const ami = await double();
    const c = await connected(ami);
    const res = await c.action({ Action: 'Getvar', Variable: 'X' });
    expect(res).toMatchObject({ response: 'Success', message: '', headers: { variable: 'X', value: '' }, events: [], output: [] });
    expect(res.actionId).toMatch(/^am/);
  });

  it('an action before connect() fails fast', async () => {
    const ami = await double();
    const c = client(ami);
    await expect(c.ping()).rejects.toBeInstanceOf(E.AmiDisconnectedError);
    expect(ami.connections).toBe(0);
  });
});
