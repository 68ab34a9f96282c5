// Event-list replies collected whole, at sizes a call centre has, and replies
// cut across reads.
import { describe, expect, it } from 'vitest';
import { connected, double } from './setup.ts';

describe('QueueStatus', () => {
  it('of 1,000 members comes back whole, and none of its items leak into the event stream', async () => {
    const ami = await double();
    for (let i = 0; i < 1000; i++) ami.addMember('8008', `Local/7911${String(i).padStart(7, '0')}@from-queue/n`, { name: `Agent ${i}`, penalty: i % 5 });
    const c = await connected(ami, { events: 'on', actionTimeoutMs: 5000 });
    const leaked: string[] = [];
    c.on('event', (e) => leaked.push(e.name));
    const status = await c.queueStatus({ queue: '8008' });
    expect(status.params).toHaveLength(1);
    expect(status.members).toHaveLength(1000);
    expect(status.members[999]).toMatchObject({ name: 'Agent 999', interface: 'Local/79110000999@from-queue/n', penalty: 4, paused: false });
    expect(new Set(status.members.map((m) => m.interface)).size).toBe(1000);
    expect(leaked).toEqual([]);
  });

  it('of 5,000 members, with 500 other actions in flight beside it, all answered (benchmark-sized)', async () => {
    const ami = await double();
    for (let i = 0; i < 5000; i++) ami.addMember(i % 2 ? '8008' : '8009', `Local/${i}@from-queue/n`);
    const c = await connected(ami, { actionTimeoutMs: 10_000 });
    const started = performance.now();
    const [status, ...rest] = await Promise.all([
      c.queueStatus(),
      ...Array.from({ length: 500 }, (_, i) => (i % 2 ? c.ping() : c.getvar(`V${i}`))),
    ]);
    expect(status?.members).toHaveLength(5000);
    expect(rest).toHaveLength(500);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('replies cut across reads (double writes each one in two halves)', () => {
  it('every kind of reply still reads whole', async () => {
    const ami = await double({ splitReplies: true });
    const c = await connected(ami, { events: 'agent', actionTimeoutMs: 2000 });
    const added: string[] = [];
    c.on('QueueMemberAdded', (e) => added.push(e.name));
    await c.queueAdd({ queue: '8008', interface: 'Local/1@x/n', memberName: 'Иван Петров' });
    await c.queueAdd({ queue: '8008', interface: 'Local/2@x/n', memberName: 'Second' });
    const status = await c.queueStatus({ queue: '8008' });
    expect(status.members.map((m) => m.name)).toEqual(['Иван Петров', 'Second']);
    await c.dbPut('F', 'K', 'value: with colon');
    expect(await c.dbGet('F', 'K')).toBe('value: with colon');
    expect(await c.getvar('UNSET')).toBe('');
    expect(added).toEqual(['Иван Петров', 'Second']);
  });
});
