// Typed event payloads parsed from what Asterisk 22 sent during real queue calls.
import { describe, expect, it } from 'vitest';
import { isTypedEventName, parseTypedEvent } from '../../lib/ami/events.ts';
import { asteriskManager, type RawMessage } from '../../lib/ami/manager.ts';
import { toEvent, type AmiEvent } from '../../lib/ami/parser.ts';
import { blocks } from './recordings.ts';

function events(file: string): AmiEvent[] {
  const out: RawMessage[] = [];
  const feed = asteriskManager.createReader((m) => out.push(m));
  for (const b of blocks(file)) if (b.dir === 'recv') feed(b.text);
  return out.filter((m) => typeof m.event === 'string').map(toEvent);
}

function first(list: AmiEvent[], name: string, nth = 0): AmiEvent {
  const found = list.filter((e) => e.name === name)[nth];
  if (!found) throw new Error(`no ${name} #${nth}`);
  return found;
}

describe('a caller answered by a mobile member (ami-queue-call-answered.log)', () => {
  const list = events('ami-queue-call-answered.log');

  it('QueueMemberAdded: numbers parsed, flags as booleans', () => {
    expect(parseTypedEvent('QueueMemberAdded', first(list, 'QueueMemberAdded'))).toEqual({
      queue: '8008',
      name: 'Mobile 79112223344',
      interface: 'Local/79112223344@outbound-allroutes/n',
      stateInterface: 'Local/79112223344@outbound-allroutes/n',
      membership: 'dynamic',
      penalty: 0,
      callsTaken: 0,
      lastCall: 0,
      lastPause: 0,
      loginTime: 1795314050,
      inCall: false,
      status: 1,
      paused: false,
      pausedReason: '',
      ringinuse: false,
      wrapuptime: 0,
    });
  });

  it('QueueCallerJoin, AgentCalled, AgentConnect, AgentComplete carry the caller and the member', () => {
    expect(parseTypedEvent('QueueCallerJoin', first(list, 'QueueCallerJoin'))).toMatchObject({
      queue: '8008',
      position: 1,
      count: 1,
      callerIdNum: '74950001122',
      callerIdName: 'Customer',
      uniqueid: '1795314051.6',
      linkedid: '1795314051.5',
      channel: 'Local/8008@queue-in-00000002;2',
    });
    expect(parseTypedEvent('AgentCalled', first(list, 'AgentCalled'))).toMatchObject({
      queue: '8008',
      interface: 'Local/79112223344@outbound-allroutes/n',
      memberName: 'Mobile 79112223344',
      destChannel: 'Local/79112223344@outbound-allroutes-00000003;1',
      destUniqueid: '1795314052.7',
      uniqueid: '1795314051.6',
    });
    expect(parseTypedEvent('AgentConnect', first(list, 'AgentConnect'))).toMatchObject({ holdTime: 0, ringTime: 0, queue: '8008' });
    expect(parseTypedEvent('AgentComplete', first(list, 'AgentComplete'))).toMatchObject({ holdTime: 0, talkTime: 5, reason: 'agent' });
  });

  it('QueueMemberStatus follows the member through the call; QueueMemberRemoved counts the call taken', () => {
    expect(parseTypedEvent('QueueMemberStatus', first(list, 'QueueMemberStatus', 0)).status).toBe(2);
    expect(parseTypedEvent('QueueMemberStatus', first(list, 'QueueMemberStatus', 1))).toMatchObject({ status: 1, callsTaken: 1, lastCall: 1795314057 });
    expect(parseTypedEvent('QueueMemberRemoved', first(list, 'QueueMemberRemoved'))).toMatchObject({ queue: '8008', callsTaken: 1 });
    expect(parseTypedEvent('QueueCallerLeave', first(list, 'QueueCallerLeave'))).toMatchObject({ position: 1, count: 0 });
  });
});

describe('a member who never answers (ami-queue-call-noanswer.log)', () => {
  const list = events('ami-queue-call-noanswer.log');

  it('AgentRingNoAnswer gives the ring time in ms; QueueCallerAbandon the positions and hold time', () => {
    expect(parseTypedEvent('AgentRingNoAnswer', first(list, 'AgentRingNoAnswer'))).toMatchObject({
      ringTime: 15000,
      interface: 'Local/79110000000@outbound-noanswer/n',
      memberName: 'Unreachable',
    });
    expect(parseTypedEvent('QueueCallerAbandon', first(list, 'QueueCallerAbandon'))).toMatchObject({
      queue: '8009',
      position: 1,
      originalPosition: 1,
      holdTime: 25,
      callerIdNum: '74950003344',
    });
  });
});

describe('pause with a reason (ami-more.log)', () => {
  it('QueueMemberPause: paused true with its reason, then false with none', () => {
    const list = events('ami-more.log');
    expect(parseTypedEvent('QueueMemberPause', first(list, 'QueueMemberPause', 0))).toMatchObject({
      paused: true,
      pausedReason: 'lunch',
      lastPause: 1795315251,
      status: 4,
    });
    expect(parseTypedEvent('QueueMemberPause', first(list, 'QueueMemberPause', 1))).toMatchObject({ paused: false, pausedReason: '' });
  });
});

describe('events during FastAGI sessions (ami-events-during-agi.log)', () => {
  const list = events('ami-events-during-agi.log');

  it('FullyBooted and DeviceStateChange', () => {
    expect(parseTypedEvent('FullyBooted', first(list, 'FullyBooted'))).toEqual({ uptime: 68, lastReload: 68, status: 'Fully Booted' });
    expect(parseTypedEvent('DeviceStateChange', first(list, 'DeviceStateChange'))).toEqual({ device: 'Local/s@dummy', state: 'INUSE' });
  });

  it('only the names agentgate acts on are typed', () => {
    expect(isTypedEventName('Newchannel')).toBe(false);
    expect(isTypedEventName('VarSet')).toBe(false);
    expect(isTypedEventName('QueueMemberAdded')).toBe(true);
    expect(isTypedEventName('toString')).toBe(false);
  });
});
