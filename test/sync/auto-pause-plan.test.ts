// The auto-pause and queue_log decisions, without sockets: when unanswered
// rings pause a member, what resets the count, which rule a queue gets, and
// the session lines reporting tools read.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { planAutoPause, ruleFor } from '../../lib/sync/auto-pause-plan.ts';
import { sessionLine } from '../../lib/sync/queue-log.ts';
import type { QueueMemberEvent } from '../../lib/ami/events.ts';

const RULE = { after: 3, reason: 'noanswer', cooldownSec: 0 };
const MANAGED = { managed: true, paused: false };

describe('planAutoPause', () => {
  it('counts the first two misses and pauses with the reason at the third', () => {
    expect(planAutoPause(RULE, 'noanswer', 0, MANAGED)).toEqual({ do: 'count' });
    expect(planAutoPause(RULE, 'noanswer', 1, MANAGED)).toEqual({ do: 'count' });
    expect(planAutoPause(RULE, 'noanswer', 2, MANAGED)).toEqual({ do: 'pause', reason: 'noanswer', cooldownSec: 0 });
  });

  it('starts again after an answer, a login or an unpause', () => {
    expect(planAutoPause(RULE, 'answered', 2, MANAGED)).toEqual({ do: 'reset' });
    expect(planAutoPause(RULE, 'fresh', 2, MANAGED)).toEqual({ do: 'reset' });
    expect(planAutoPause(RULE, 'answered', 0, MANAGED)).toEqual({ do: 'ignore' });
  });

  it('leaves members agentgate did not log in alone, and does nothing when the queue turns it off', () => {
    expect(planAutoPause(RULE, 'noanswer', 2, { managed: false, paused: false })).toEqual({ do: 'ignore' });
    expect(planAutoPause({ ...RULE, after: 0 }, 'noanswer', 5, MANAGED)).toEqual({ do: 'ignore' });
  });

  it('does not pause a member paused already, and forgets its count', () => {
    expect(planAutoPause(RULE, 'noanswer', 2, { managed: true, paused: true })).toEqual({ do: 'reset' });
  });

  it('pauses at the first miss with a threshold of 1, with the cool-down of the rule', () => {
    expect(planAutoPause({ after: 1, reason: 'away', cooldownSec: 60 }, 'noanswer', 0, MANAGED)).toEqual({ do: 'pause', reason: 'away', cooldownSec: 60 });
  });
});

describe('auto-pause configuration', () => {
  it('defaults to 3 and noanswer, without a cool-down, and takes per-queue rules', () => {
    const def = loadConfig({}).autoPause;
    expect(def.rule).toEqual({ after: 3, reason: 'noanswer', cooldownSec: 0 });
    const cfg = loadConfig({ AUTOPAUSE_QUEUES: 'Sales:5:missed:120,8009:0', AUTOPAUSE_COOLDOWN_SEC: '30' }).autoPause;
    expect(ruleFor(cfg, 'SALES')).toEqual({ after: 5, reason: 'missed', cooldownSec: 120 });
    expect(ruleFor(cfg, '8009')).toEqual({ after: 0, reason: 'noanswer', cooldownSec: 30 });
    expect(ruleFor(cfg, '8008')).toEqual({ after: 3, reason: 'noanswer', cooldownSec: 30 });
  });

  it('refuses a reason astdb or queue_log would break, and a malformed rule', () => {
    expect(() => loadConfig({ AUTOPAUSE_REASON: 'no answer|x' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUTOPAUSE_QUEUES: '8008:three' })).toThrow(/AUTOPAUSE_QUEUES/);
    expect(() => loadConfig({ AUTOPAUSE_QUEUES: '8008:3:a;b' })).toThrow(/AUTOPAUSE_QUEUES/);
  });
});

describe('queue_log session lines', () => {
  const ev = (o: Partial<QueueMemberEvent>): QueueMemberEvent => ({
    queue: '8008', name: 'Ivan Petrov', interface: 'Local/79112223344@outbound-allroutes/n', stateInterface: '', membership: 'dynamic',
    penalty: 0, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: 1000, inCall: false, status: 1, paused: false, pausedReason: '', wrapupTime: 0, ringinuse: false, ...o,
  } as QueueMemberEvent);

  it('logs in and off under the member name, with the channel and the session length', () => {
    expect(sessionLine('added', ev({}), 1000)).toEqual({ queue: '8008', event: 'AGENTLOGIN', interface: 'Ivan Petrov', message: 'Local/79112223344@outbound-allroutes/n' });
    expect(sessionLine('removed', ev({}), 1754.4)).toEqual({ queue: '8008', event: 'AGENTLOGOFF', interface: 'Ivan Petrov', message: 'Local/79112223344@outbound-allroutes/n|754' });
  });

  it('writes nothing for static members, and falls back to the interface for a member without a name', () => {
    expect(sessionLine('added', ev({ membership: 'static' }), 1000)).toBeUndefined();
    expect(sessionLine('added', ev({ name: '' }), 1000)?.interface).toBe('Local/79112223344@outbound-allroutes/n');
  });
});
