import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PinLockedOutError } from '../../lib/agents/errors.ts';
import { checkPinAllowed, clearCallerPinFailures, clearPinFailures, recordPinFailure } from '../../lib/agents/pin-guard.ts';
import type { Store } from '../../lib/store/redis.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const limits = { maxFailures: 3, lockoutSec: 60 };

let t: TestRedis;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = t.store;
});
afterEach(() => t.cleanup());

async function lockedScopes(agentId: string, caller?: string): Promise<string[] | 'allowed'> {
  try {
    await checkPinAllowed(store, { agentId, caller }, limits);
    return 'allowed';
  } catch (err) {
    if (err instanceof PinLockedOutError) return err.scopes;
    throw err;
  }
}

describe('wrong-PIN guard', () => {
  it('locks an agent after N wrong PINs from different phones, and says which failure locked it', async () => {
    const r1 = await recordPinFailure(store, { agentId: '1001', caller: '2001' }, limits);
    const r2 = await recordPinFailure(store, { agentId: '1001', caller: '2002' }, limits);
    expect([r1.lockedOut, r2.lockedOut]).toEqual([false, false]);
    expect(await lockedScopes('1001', '2003')).toBe('allowed');
    const r3 = await recordPinFailure(store, { agentId: '1001', caller: '2003' }, limits);
    expect(r3).toEqual({ lockedOut: true, lockedScopes: ['agent'], agentFailures: 3, callerFailures: 1 });
    const err = await checkPinAllowed(store, { agentId: '1001', caller: '2009' }, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinLockedOutError);
    expect((err as PinLockedOutError).code).toBe('PIN_LOCKED_OUT');
    expect((err as PinLockedOutError).retryAfterSec).toBeGreaterThan(55);
    expect(await lockedScopes('1002', '2001')).toBe('allowed');
  });

  it('locks a caller after N wrong PINs across different agents', async () => {
    for (const agentId of ['1', '2']) expect((await recordPinFailure(store, { agentId, caller: '79112223344' }, limits)).lockedOut).toBe(false);
    expect((await recordPinFailure(store, { agentId: '3', caller: '79112223344' }, limits)).lockedScopes).toEqual(['caller']);
    expect(await lockedScopes('4', '79112223344')).toEqual(['caller']);
    expect(await lockedScopes('4', '79112223345')).toBe('allowed');
  });

  it('counts hidden and garbage caller IDs together, so hiding the number does not escape the limit', async () => {
    await recordPinFailure(store, { agentId: '1' }, limits);
    await recordPinFailure(store, { agentId: '2', caller: '' }, limits);
    await recordPinFailure(store, { agentId: '3', caller: 'evil\r\nx' }, limits);
    expect(await lockedScopes('4')).toEqual(['caller']);
    expect(await lockedScopes('4', 'anonymous')).toEqual(['caller']);
    await clearCallerPinFailures(store, undefined);
    expect(await lockedScopes('4')).toBe('allowed');
  });

  it('reports the lock-out exactly once when wrong PINs race', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      recordPinFailure(store, { agentId: '1001', caller: `30${i}` }, limits)));
    expect(results.filter((r) => r.lockedOut)).toHaveLength(1);
    expect(await lockedScopes('1001', '399')).toEqual(['agent']);
  });

  it('a correct PIN clears the agent count but not the caller count', async () => {
    await recordPinFailure(store, { agentId: '1001', caller: '2001' }, limits);
    await recordPinFailure(store, { agentId: '1001', caller: '2001' }, limits);
    await clearPinFailures(store, '1001');
    const next = await recordPinFailure(store, { agentId: '1001', caller: '2001' }, limits);
    expect(next).toEqual({ lockedOut: true, lockedScopes: ['caller'], agentFailures: 1, callerFailures: 3 });
    expect(await lockedScopes('1001', '2002')).toBe('allowed');
  });

  it('an admin clear ends an agent lock-out', async () => {
    for (let i = 0; i < 3; i++) await recordPinFailure(store, { agentId: '1001', caller: `20${i}` }, limits);
    expect(await lockedScopes('1001', '299')).toEqual(['agent']);
    await clearPinFailures(store, '1001');
    expect(await lockedScopes('1001', '299')).toBe('allowed');
  });

  it('a lock-out lasts lockoutSec from the failure that caused it, while failures below the limit are forgotten after windowSec', async () => {
    // One wait serves three subjects with different limits, to keep the suite fast.
    const short = { maxFailures: 2, lockoutSec: 1, windowSec: 1 };
    const longLock = { maxFailures: 2, lockoutSec: 60, windowSec: 1 };
    await recordPinFailure(store, { agentId: '1', caller: '500' }, short);
    expect((await recordPinFailure(store, { agentId: '1', caller: '500' }, short)).lockedScopes).toEqual(['agent', 'caller']);
    await recordPinFailure(store, { agentId: '7', caller: '700' }, longLock);
    expect((await recordPinFailure(store, { agentId: '7', caller: '700' }, longLock)).lockedScopes).toEqual(['agent', 'caller']);
    await recordPinFailure(store, { agentId: '2', caller: '600' }, { ...longLock, maxFailures: 3 });
    await expect(checkPinAllowed(store, { agentId: '1', caller: '501' }, short)).rejects.toBeInstanceOf(PinLockedOutError);
    await expect(checkPinAllowed(store, { agentId: '9', caller: '500' }, short)).rejects.toBeInstanceOf(PinLockedOutError);
    // Wait for Redis to expire the short lock-out (agent 1, caller 500) and the window of agent 2 and caller 600.
    const expiring = [
      store.keys.pinFailures('agent', '1'),
      store.keys.pinFailures('caller', '500'),
      store.keys.pinFailures('agent', '2'),
      store.keys.pinFailures('caller', '600'),
    ];
    await waitFor(async () => (await t.redis.exists(...expiring)) === 0, 'the 1 s lock-out and window to expire');
    await checkPinAllowed(store, { agentId: '1', caller: '500' }, short);
    const still = await checkPinAllowed(store, { agentId: '7', caller: '700' }, longLock).catch((e: unknown) => e);
    expect(still).toMatchObject({ code: 'PIN_LOCKED_OUT', scopes: ['agent', 'caller'] });
    expect((still as PinLockedOutError).retryAfterSec).toBeGreaterThan(55);
    expect((await recordPinFailure(store, { agentId: '2', caller: '600' }, { ...longLock, maxFailures: 3 })))
      .toMatchObject({ agentFailures: 1, callerFailures: 1 });
  });
});
