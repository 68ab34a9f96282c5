// The recorded sessions of a real Asterisk 22, replayed against AmiClient: it
// must send exactly what the recorded client sent (ActionID values aside) and
// make sense of exactly what Asterisk answered, split reads included.
import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../lib/ami/client.ts';
import * as E from '../../lib/ami/errors.ts';
import type { QueueMemberEvent } from '../../lib/ami/events.ts';
import { silentLogger } from '../../lib/log.ts';
import { playScript, type Script } from './scripted-asterisk.ts';
import { waitFor } from './helpers.ts';

const MOBILE = 'Local/79112223344@outbound-allroutes/n';
const IVAN = 'Local/79112223344@outbound-noanswer/n';

let script: Script | undefined;
afterEach(async () => {
  await script?.stop();
  script = undefined;
});

function clientFor(s: Script, username: string, secret: string): AmiClient {
  return new AmiClient({ host: '127.0.0.1', port: s.port, username, secret, actionTimeoutMs: 2000, logger: silentLogger, pingIntervalMs: 0 });
}

async function failure(p: Promise<unknown>): Promise<E.AmiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof E.AmiError)) throw new Error(`expected an AmiError, got ${String(err)}`);
  return err;
}

describe('ami-actions.log', () => {
  it('every action written as recorded; every reply read as recorded', async () => {
    script = await playScript('ami-actions.log');
    const c = clientFor(script, 'admin', 'amp111');
    await c.connect();
    await c.ping();
    const qs0 = await c.queueStatus({ queue: '8008' });
    expect(qs0.params.map((p) => p.queue)).toEqual(['8008']);
    expect(qs0.members).toEqual([]);

    await c.queueAdd({ queue: '8008', interface: MOBILE, penalty: 1, memberName: 'Mobile 79112223344', paused: false });
    expect(await failure(c.queueAdd({ queue: '8008', interface: MOBILE, penalty: 1, memberName: 'Mobile 79112223344' }))).toBeInstanceOf(
      E.AmiAlreadyThereError,
    );
    expect(await failure(c.queueAdd({ queue: 'nosuchqueue', interface: 'Local/1@outbound-allroutes/n' }))).toBeInstanceOf(E.AmiNoSuchQueueError);
    await c.queueAdd({ queue: '8009', interface: MOBILE, penalty: 2, memberName: 'Mobile 79112223344', stateInterface: 'Custom:MOBILE79112223344' });

    const qs1 = await c.queueStatus({ queue: '8008' });
    expect(qs1.members).toEqual([
      {
        queue: '8008',
        name: 'Mobile 79112223344',
        interface: MOBILE,
        stateInterface: MOBILE,
        membership: 'dynamic',
        penalty: 1,
        callsTaken: 0,
        lastCall: 0,
        lastPause: 0,
        loginTime: 1795314001,
        inCall: false,
        status: 1,
        paused: false,
        pausedReason: '',
        wrapuptime: 0,
      },
    ]);
    const qs2 = await c.queueStatus({ member: MOBILE });
    expect(qs2.members.map((m) => [m.queue, m.stateInterface, m.status])).toEqual([
      ['8009', 'Custom:MOBILE79112223344', 0],
      ['8008', MOBILE, 1],
    ]);
    expect((await c.queueStatus()).params.map((p) => [p.queue, p.strategy])).toEqual([
      ['8009', 'rrmemory'],
      ['8008', 'ringall'],
    ]);
    expect(await c.queueSummary('8008')).toEqual([{ queue: '8008', loggedIn: 1, available: 1, callers: 0, holdTime: 0, talkTime: 0, longestHoldTime: 0 }]);

    await c.queuePause({ queue: '8008', interface: MOBILE, paused: true, reason: 'lunch' });
    expect(await failure(c.queuePause({ interface: 'Local/nobody@x/n', paused: true }))).toBeInstanceOf(E.AmiInterfaceNotFoundError);
    await c.queuePause({ interface: MOBILE, paused: false });
    await c.queueLog({ queue: '8008', event: 'ADDMEMBER', interface: MOBILE, message: 'via fastagi' });
    await c.userEvent('AgentLogin', { Agent: '79112223344' });

    await c.setvar('AGENTBYCALLERID_1001', '7001');
    expect(await c.getvar('AGENTBYCALLERID_1001')).toBe('7001');
    await c.setvar('AGENTBYCALLERID_1001', '');
    expect(await c.getvar('AGENTBYCALLERID_1001')).toBe('');
    expect(await c.getvar('NEVER_SET_VAR')).toBe('');
    await c.setvar('DEVICE_STATE(Custom:QUEUE79112223344*8008)', 'INUSE');
    expect(await c.getvar('DEVICE_STATE(Custom:QUEUE79112223344*8008)')).toBe('INUSE'); // reply split across reads

    await c.dbPut('QPENALTY', '8008/agents/79112223344', '1');
    expect(await c.dbGet('QPENALTY', '8008/agents/79112223344')).toBe('1'); // list split across reads
    expect(await c.dbGet('QPENALTY', '8008/agents/nobody')).toBeUndefined();

    const show = await c.command('queue show 8008');
    expect(show).toHaveLength(6);
    expect(show[2]).toContain('Mobile 79112223344 (Local/79112223344@outbound-allroutes/n) with penalty 1');
    const db = await c.command('database show Queue'); // reply split across reads
    expect(db).toHaveLength(3);
    expect(db[2]).toBe('2 results found.');

    await c.queueRemove({ queue: '8008', interface: MOBILE });
    expect(await failure(c.queueRemove({ queue: '8008', interface: MOBILE }))).toBeInstanceOf(E.AmiNotThereError);
    expect(await failure(c.queueRemove({ queue: 'nosuchqueue', interface: MOBILE }))).toBeInstanceOf(E.AmiNoSuchQueueError);
    const unknown = await failure(c.action({ Action: 'NoSuchAction' }));
    expect(unknown).toBeInstanceOf(E.AmiActionError);
    expect(unknown.message).toBe('Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.');
    expect((await failure(c.action({ Action: 'QueueAdd', Queue: '8008' }))).message).toBe("'Interface' not specified.");
    await c.close();

    expect(script.mismatches).toEqual([]);
    expect(script.remaining()).toBe(0);
  });
});

describe('ami-more.log', () => {
  it('Events, Filter, and the events that share a read with the reply', async () => {
    script = await playScript('ami-more.log');
    const c = clientFor(script, 'lab', 'labsecret');
    const events: Array<[string, QueueMemberEvent]> = [];
    for (const name of ['QueueMemberAdded', 'QueueMemberPause', 'QueueMemberRemoved'] as const) {
      c.on(name, (e) => events.push([name, e]));
    }
    await c.connect();
    await c.eventMask('agent,call');
    await c.filter('Event: QueueMember*');
    await c.filter('Event: FullyBooted');
    await c.queueAdd({ queue: '8008', interface: IVAN, penalty: 1, memberName: 'Ivan Petrov' });
    await c.queuePause({ queue: '8008', interface: IVAN, paused: true, reason: 'lunch' });
    const status = await c.queueStatus({ queue: '8008' });
    expect(status.members[0]).toMatchObject({ name: 'Ivan Petrov', status: 4, paused: true, pausedReason: 'lunch', lastPause: 1795315251 });
    await c.queuePause({ interface: IVAN, paused: false });
    await c.dbPut('agentgate', 'probe', '1');
    expect(await c.dbDel('agentgate', 'probe')).toBe(true);
    expect(await c.dbDel('agentgate', 'probe')).toBe(false);
    await c.queueRemove({ queue: '8008', interface: IVAN });
    // QueueMemberRemoved came in a read of its own, after the reply.
    await waitFor(() => events.length === 4, 1000, 'QueueMemberRemoved');
    await c.close();

    expect(events.map(([name, e]) => [name, e.paused, e.pausedReason])).toEqual([
      ['QueueMemberAdded', false, ''],
      ['QueueMemberPause', true, 'lunch'],
      ['QueueMemberPause', false, ''],
      ['QueueMemberRemoved', false, ''],
    ]);
    expect(script.mismatches).toEqual([]);
    expect(script.remaining()).toBe(0);
  });
});
