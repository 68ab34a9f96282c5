// The AMI double keeps dynamic members in astdb as app_queue's
// dump_queue_members() does (Queue/PersistentMembers/<queue>, the format of
// 'database show Queue' in shared/asterisk/ami-actions.log). The double writes
// the entry when astdb is next read, not at each change; what a reader sees
// must be the same: every change before the read, and no key once the queue
// has no dynamic member.
import { describe, expect, it } from 'vitest';
import { connected, double } from './setup.ts';

describe('AMI double: astdb Queue/PersistentMembers', () => {
  it('follows adds, pauses and removes as DBGet reads them, and the key goes with the last member', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 2000 });
    const iface = 'Local/79112223344@outbound-allroutes/n';
    await c.action({ Action: 'QueueAdd', Queue: '8008', Interface: iface, Penalty: '1', MemberName: 'Mobile 79112223344' });
    expect(await c.dbGet('Queue/PersistentMembers', '8008')).toBe(`${iface};1;0;Mobile 79112223344;${iface};;0`);
    await c.action({ Action: 'QueueAdd', Queue: '8008', Interface: 'Local/201@from-queue/n', Penalty: '0', MemberName: 'Desk' });
    await c.action({ Action: 'QueuePause', Queue: '8008', Interface: iface, Paused: 'true', Reason: 'lunch' });
    expect(await c.dbGet('Queue/PersistentMembers', '8008')).toBe(
      `${iface};1;1;Mobile 79112223344;${iface};lunch;0|Local/201@from-queue/n;0;0;Desk;Local/201@from-queue/n;;0`,
    );
    await c.action({ Action: 'QueueRemove', Queue: '8008', Interface: iface });
    await c.action({ Action: 'QueueRemove', Queue: '8008', Interface: 'Local/201@from-queue/n' });
    expect(await c.dbGet('Queue/PersistentMembers', '8008')).toBeUndefined();
    expect([...ami.db().keys()].filter((k) => k.startsWith('Queue/'))).toEqual([]);
  });

  it('a DBDel of the entry holds until the next member change, as in Asterisk', async () => {
    const ami = await double();
    const c = await connected(ami, { actionTimeoutMs: 2000 });
    await c.action({ Action: 'QueueAdd', Queue: '8009', Interface: 'Local/1@from-queue/n' });
    await c.action({ Action: 'DBDel', Family: 'Queue/PersistentMembers', Key: '8009' });
    expect(await c.dbGet('Queue/PersistentMembers', '8009')).toBeUndefined();
    await c.action({ Action: 'QueueAdd', Queue: '8009', Interface: 'Local/2@from-queue/n' });
    expect(ami.db().get('Queue/PersistentMembers/8009')).toMatch(/^Local\/1@from-queue\/n;.*\|Local\/2@from-queue\/n;/);
  });
});
