// Allowlists and the audit trail over real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize } from '../../lib/queues/allowlist.ts';
import { READ_TOKEN, startApiHarness, type ApiHarness } from './support.ts';

let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
});
afterEach(() => h.stop());

describe('allowlists', () => {
  it('adds, changes and removes a number, sets a policy, and the queue domain honours each at once', async () => {
    const put = await h.req('PUT', '/allowlists/8008/numbers/+7 911 222 33 44', { body: { penalty: 3, name: 'Ivan Petrov' } });
    expect(put).toMatchObject({ status: 200, body: { queue: '8008', number: '79112223344', penalty: 3, name: 'Ivan Petrov' } });
    expect(await authorize(h.app.svc.store, '8008', '79112223344')).toMatchObject({ penalty: 3, name: 'Ivan Petrov' });
    await h.req('PUT', '/allowlists/8008/numbers/79112223344', { body: { penalty: 4 } });
    expect((await h.req('GET', '/allowlists/8008', { token: READ_TOKEN })).body).toEqual({
      queue: '8008', policy: 'list', numbers: [{ number: '79112223344', penalty: 4, name: '79112223344' }],
    });

    // Confirm on answer off for this number in this queue: kept with the entry, shown, and back on when put again without it.
    expect((await h.req('PUT', '/allowlists/8008/numbers/79112223344', { body: { penalty: 4, confirm: false } })).body).toMatchObject({ confirm: false });
    expect(await authorize(h.app.svc.store, '8008', '79112223344')).toMatchObject({ confirm: false });
    expect((await h.req('PUT', '/allowlists/8008/numbers/79112223344', { body: { penalty: 4 } })).body).not.toHaveProperty('confirm');

    expect((await h.req('PUT', '/allowlists/8009/policy', { body: { policy: 'open' } })).body).toEqual({ queue: '8009', policy: 'open' });
    expect((await h.req('GET', '/allowlists', { token: READ_TOKEN })).body.map((q: { queue: string; policy: string; numbers: unknown[] }) => `${q.queue} ${q.policy} ${q.numbers.length}`))
      .toEqual(['8008 list 1', '8009 open 0']);

    expect((await h.req('DELETE', '/allowlists/8008/numbers/79112223344')).body).toEqual({ queue: '8008', number: '79112223344', removed: true });
    await expect(authorize(h.app.svc.store, '8008', '79112223344')).rejects.toThrow(/not authorized/);
    const again = await h.req('DELETE', '/allowlists/8008/numbers/79112223344');
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NOT_LISTED');
  });
});

describe('audit trail', () => {
  it('pages newest first, each entry naming the token that acted', async () => {
    for (let i = 0; i < 5; i++) await h.req('PUT', `/allowlists/8008/numbers/7911000000${i}`, { body: {} });
    const first = await h.req('GET', '/audit?count=2', { token: READ_TOKEN });
    expect(first.body.entries.map((e: { subject: string }) => e.subject)).toEqual(['79110000004', '79110000003']);
    expect(first.body.entries[0]).toMatchObject({ action: 'allow', queue: '8008', result: 'OK', source: 'api', by: 'supervisor', at: expect.any(Number) });
    const second = await h.req('GET', `/audit?count=2&before=${first.body.next}`, { token: READ_TOKEN });
    expect(second.body.entries.map((e: { subject: string }) => e.subject)).toEqual(['79110000002', '79110000001']);
    const last = await h.req('GET', `/audit?count=2&before=${second.body.next}`, { token: READ_TOKEN });
    expect(last.body).toEqual({ entries: [expect.objectContaining({ subject: '79110000000' })], next: null });
  });
});
