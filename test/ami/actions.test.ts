// The exact headers each typed action writes, in the order Asterisk's own
// recorded client wrote them (ami-actions.log), and what refuses to be written.
import { describe, expect, it } from 'vitest';
import { BadParamsError } from '../../lib/errors.ts';
import * as act from '../../lib/ami/actions.ts';
import { toWireHeaders } from '../../lib/ami/headers.ts';

const wire = (h: act.QueueAddArgs) => toWireHeaders(act.queueAddHeaders(h));

describe('queueAdd', () => {
  it('writes Queue, Interface, Penalty, MemberName, Paused, StateInterface, Reason in that order', () => {
    expect(
      wire({
        queue: '8009',
        interface: 'Local/79112223344@outbound-allroutes/n',
        penalty: 2,
        memberName: 'Mobile 79112223344',
        paused: false,
        stateInterface: 'Custom:MOBILE79112223344',
      }),
    ).toEqual({
      Action: 'QueueAdd',
      Queue: '8009',
      Interface: 'Local/79112223344@outbound-allroutes/n',
      Penalty: '2',
      MemberName: 'Mobile 79112223344',
      Paused: 'false',
      StateInterface: 'Custom:MOBILE79112223344',
    });
  });

  it.each([
    ['memberName', { memberName: 'Ivan;Petrov' }],
    ['memberName', { memberName: 'Ivan|Petrov' }],
    ['memberName', { memberName: 'Petrov, Ivan' }],
    ['stateInterface', { stateInterface: 'Custom:A;B' }],
    ['reason', { reason: 'lunch|break' }],
    ['interface', { interface: 'Local/1@x/n;2' }],
  ])('refuses a %s Asterisk would corrupt in astdb', (_field, extra) => {
    expect(() => wire({ queue: '8008', interface: 'Local/1@x/n', ...extra })).toThrow(BadParamsError);
  });
});

describe('the other actions', () => {
  it('QueuePause, QueueRemove, QueueStatus, QueueSummary, QueueLog', () => {
    expect(toWireHeaders(act.queuePauseHeaders({ queue: '8008', interface: 'I', paused: true, reason: 'lunch' }))).toEqual({
      Action: 'QueuePause',
      Queue: '8008',
      Interface: 'I',
      Paused: 'true',
      Reason: 'lunch',
    });
    expect(toWireHeaders(act.queuePauseHeaders({ interface: 'I', paused: false }))).toEqual({ Action: 'QueuePause', Interface: 'I', Paused: 'false' });
    expect(toWireHeaders(act.queueRemoveHeaders({ queue: '8008', interface: 'I' }))).toEqual({ Action: 'QueueRemove', Queue: '8008', Interface: 'I' });
    expect(toWireHeaders(act.queueStatusHeaders({ member: 'I' }))).toEqual({ Action: 'QueueStatus', Member: 'I' });
    expect(toWireHeaders(act.queueSummaryHeaders())).toEqual({ Action: 'QueueSummary' });
    expect(toWireHeaders(act.queueLogHeaders({ queue: '8008', event: 'ADDMEMBER', interface: 'I', uniqueid: '1.2', message: 'via fastagi' }))).toEqual({
      Action: 'QueueLog',
      Queue: '8008',
      Event: 'ADDMEMBER',
      Interface: 'I',
      UniqueId: '1.2',
      Message: 'via fastagi',
    });
  });

  it('UserEvent keeps the caller headers after its name and refuses to let them override it', () => {
    expect(toWireHeaders(act.userEventHeaders('AgentLogin', { Agent: '79112223344' }))).toEqual({
      Action: 'UserEvent',
      UserEvent: 'AgentLogin',
      Agent: '79112223344',
    });
    expect(() => act.userEventHeaders('X', { Action: 'Command' })).toThrow(BadParamsError);
    expect(() => act.userEventHeaders('X', { userevent: 'Y' })).toThrow(BadParamsError);
  });

  it('Setvar/Getvar are global without a channel; DB actions; Command; Events; Filter', () => {
    expect(toWireHeaders(act.setvarHeaders('V', ''))).toEqual({ Action: 'Setvar', Variable: 'V', Value: '' });
    expect(toWireHeaders(act.getvarHeaders('V', 'PJSIP/1-0001'))).toEqual({ Action: 'Getvar', Channel: 'PJSIP/1-0001', Variable: 'V' });
    expect(toWireHeaders(act.dbPutHeaders('F', 'K', 'v'))).toEqual({ Action: 'DBPut', Family: 'F', Key: 'K', Val: 'v' });
    expect(toWireHeaders(act.commandHeaders('queue show 8008'))).toEqual({ Action: 'Command', Command: 'queue show 8008' });
    expect(toWireHeaders(act.eventMaskHeaders('agent,call'))).toEqual({ Action: 'Events', EventMask: 'agent,call' });
    expect(toWireHeaders(act.filterHeaders('Event: QueueMember*'))).toEqual({ Action: 'Filter', Operation: 'Add', Filter: 'Event: QueueMember*' });
  });
});

describe('maskCarriesSystem (whether FullyBooted can arrive)', () => {
  it.each([
    ['on', true],
    ['yes', true],
    ['off', false],
    ['agent,call', false],
    ['agent,system', true],
    ['all', true],
    ['1', true],
    ['0', false],
    ['5', true],
    ['4', false],
  ])('%s → %s', (mask, expected) => {
    expect(act.maskCarriesSystem(mask)).toBe(expected);
  });
});
