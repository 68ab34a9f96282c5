import { describe, expect, it } from 'vitest';
import { OwnChanges } from '../../lib/sync/own-changes.ts';
import { type OwnChange } from '../../lib/members/change.ts';

const IF = 'Local/79112223344@outbound-allroutes/n';
const change = (kind: OwnChange['kind'], queue: string, paused = false): OwnChange => ({ kind, queue, interface: IF, subject: '79112223344', paused });

describe('OwnChanges', () => {
  it('takes an expected event once, with the lamp of the recorded member; interface and queue compare without case', () => {
    const own = new OwnChanges();
    own.expect([change('added', '8008')]);
    expect(own.take(IF.toUpperCase(), [{ kind: 'added', queue: '8008' }])).toEqual([{ queue: '8008', interface: IF, subject: '79112223344', in: true, paused: false }]);
    expect(own.take(IF, [{ kind: 'added', queue: '8008' }])).toBeUndefined();
    expect(own.size).toBe(0);
  });

  it('a removal darkens, a pause shows paused, and the newest state of a member wins', () => {
    const own = new OwnChanges();
    own.expect([change('removed', '8009'), change('added', '8008')]);
    own.expect([change('pause', '8008', true)]);
    expect(own.take(IF, [{ kind: 'removed', queue: '8009' }, { kind: 'added', queue: '8008' }, { kind: 'pause', queue: '8008' }])).toEqual([
      { queue: '8009', interface: IF, subject: '79112223344', in: false, paused: false },
      { queue: '8008', interface: IF, subject: '79112223344', in: true, paused: true },
    ]);
  });

  it('a batch with any event not expected is left to the reconcile, and the member expects nothing more', () => {
    const own = new OwnChanges();
    own.expect([change('added', '8008'), change('pause', '8008')]);
    expect(own.take(IF, [{ kind: 'added', queue: '8008' }, { kind: 'removed', queue: '8008' }])).toBeUndefined();
    expect(own.size).toBe(0);
    own.expect([change('added', '8008')]);
    expect(own.take(IF, [{ kind: undefined, queue: '8008' }])).toBeUndefined();
    expect(own.take(IF, [{ kind: 'added', queue: '8009' }])).toBeUndefined();
    expect(own.take('PJSIP/1001', [{ kind: 'added', queue: '8008' }])).toBeUndefined();
  });

  it('an event that never came stops being expected after the expiry', () => {
    let now = 1000;
    const own = new OwnChanges({ ttlMs: 50, now: () => now });
    own.expect([change('added', '8008')]);
    now += 50;
    expect(own.take(IF, [{ kind: 'added', queue: '8008' }])).toBeUndefined();
    expect(own.size).toBe(0);
  });
});
