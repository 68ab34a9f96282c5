// The pure decisions of the agent flows: what a toggle does, what status word
// the dialplan gets, which phone an interface rings, how the CLI reads queues.
import { describe, expect, it } from 'vitest';
import { compatVariable } from '../../lib/agents/compat-globals.ts';
import { numberOfInterface } from '../../lib/asterisk/interfaces.ts';
import { planPause } from '../../lib/agents/pause.ts';
import { readPauseParams } from '../../lib/scripts/agent-request.ts';
import { summarizeAgent } from '../../lib/agents/status.ts';
import type { QueueMember } from '../../lib/asterisk/member.ts';
import { parseQueuePenalties } from '../../lib/cli/agent-commands.ts';
import { BadParamsError } from '../../lib/errors.ts';

function member(queue: string, o: Partial<QueueMember> = {}): QueueMember {
  return {
    queue, name: 'Ivan Petrov', interface: 'Local/1001@from-queue/n', stateInterface: 'Local/1001@from-queue/n', membership: 'dynamic',
    penalty: 0, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: 0, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0, ...o,
  };
}

describe('planPause', () => {
  it('pauses and unpauses as asked, whatever the state', () => {
    expect(planPause('pause', [member('8008', { paused: true })])).toBe(true);
    expect(planPause('unpause', [member('8008')])).toBe(false);
  });

  it('toggles to unpaused only when paused in every queue, so a half-paused agent ends up paused everywhere', () => {
    expect(planPause('toggle', [member('8008', { paused: true }), member('8009', { paused: true })])).toBe(false);
    expect(planPause('toggle', [member('8008', { paused: true }), member('8009')])).toBe(true);
    expect(planPause('toggle', [member('8008')])).toBe(true);
  });
});

describe('summarizeAgent', () => {
  it('LOGGEDOUT with no member, AVAILABLE when unpaused anywhere, PAUSED only when paused everywhere', () => {
    expect(summarizeAgent([]).status).toBe('LOGGEDOUT');
    expect(summarizeAgent([member('8008'), member('8009', { paused: true, pausedReason: 'lunch' })])).toMatchObject({
      status: 'AVAILABLE', queues: ['8008', '8009'], pausedQueues: ['8009'], pausedReason: 'lunch',
    });
    expect(summarizeAgent([member('8009', { paused: true, pausedReason: 'lunch' }), member('8008', { paused: true })])).toMatchObject({
      status: 'PAUSED', pausedReason: 'lunch', pausedQueues: ['8008', '8009'],
    });
  });

  it('ONCALL when Asterisk says the member is in a call or its device is busy, paused or not; ringing is not a call', () => {
    expect(summarizeAgent([member('8008', { inCall: true, paused: true })]).status).toBe('ONCALL');
    for (const status of [2, 3, 7, 8]) expect(summarizeAgent([member('8008', { status })]).status).toBe('ONCALL');
    expect(summarizeAgent([member('8008', { status: 6 })]).status).toBe('AVAILABLE');
  });
});

describe('readPauseParams', () => {
  it('defaults to a toggle in every queue without a reason', () => {
    expect(readPauseParams({})).toEqual({ mode: 'toggle' });
    expect(readPauseParams({ mode: 'PAUSE', queue: '8008', reason: 'lunch' })).toEqual({ mode: 'pause', queue: '8008', reason: 'lunch' });
  });

  it.each([
    [{ mode: 'sleep' }],
    [{ reason: 'lunch;break' }],
    [{ reason: 'a|b' }],
    [{ reason: 'x\r\nAction: Command' }],
    [{ queue: '80 08' }],
  ])('refuses %j before anything reaches Asterisk', (params) => {
    expect(() => readPauseParams(params)).toThrow(BadParamsError);
  });
});

describe('AGENTBYCALLERID names', () => {
  it('names the global after the phone, and finds the phone an interface rings', () => {
    expect(compatVariable('1001')).toBe('AGENTBYCALLERID_1001');
    expect(numberOfInterface('Local/79112223344@outbound-allroutes/n')).toBe('79112223344');
    expect(numberOfInterface('PJSIP/1001')).toBe('1001');
    expect(numberOfInterface('Local/1001@from-queue')).toBe('1001');
    expect(numberOfInterface('PJSIP/1001/sip:1001@10.0.0.1')).toBeUndefined();
    expect(numberOfInterface('Custom:foo')).toBeUndefined();
  });

  it('refuses a phone that would put anything odd in a variable name', () => {
    expect(() => compatVariable('1001\r\nAction: Command')).toThrow(BadParamsError);
  });
});

describe('parseQueuePenalties (CLI)', () => {
  it('reads QUEUE[:PENALTY] lists, penalty 0 by default', () => {
    expect(parseQueuePenalties('8008:2, 8009')).toEqual([{ queue: '8008', penalty: 2 }, { queue: '8009', penalty: 0 }]);
  });

  it('refuses an empty list and a bad penalty', () => {
    expect(() => parseQueuePenalties('')).toThrow(/queues are required/);
    expect(() => parseQueuePenalties('8008:x')).toThrow(/QUEUE:PENALTY/);
  });
});
