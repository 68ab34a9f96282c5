// The live stream over real HTTP: a snapshot on connect, then changes, each
// client getting exactly the events in its scope; and a stream that goes on
// across an AMI reconnect, told what changed meanwhile and nothing else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { LIVE_AMI_FILTER } from '../../lib/live/feed.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { READ_TOKEN, startApiHarness, waitFor, type ApiHarness, type StreamClient } from './support.ts';

const A = '79112223344';
const B = '79115556677';
const A_IFACE = `Local/${A}@outbound-allroutes/n`;
const B_IFACE = `Local/${B}@outbound-allroutes/n`;
let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
  await allowNumber(h.app.svc.store, '8008', { number: A, penalty: 0, name: 'Ivan' }, { source: 'cli', by: 'test' });
  await allowNumber(h.app.svc.store, '8009', { number: B, penalty: 0, name: 'Anna' }, { source: 'cli', by: 'test' });
});
afterEach(() => h.stop());

const snapshotOf = (s: StreamClient) => s.events.find((e) => e.type === 'snapshot')!.data;
const last = (s: StreamClient, line: string) => (events: unknown[]) => events.length > 0 && s.changes().includes(line);

describe('on connect', () => {
  it('sends a snapshot of the state in scope first: members, queues with callers, agents, and the AMI link', async () => {
    h.ami.addMember('8008', 'PJSIP/1001', { name: 'Desk', paused: true, reason: 'lunch' });
    h.ami.addMember('8009', 'PJSIP/2001', { name: 'Desk 2' });
    h.ami.addCaller('8008', { number: '74950001122', name: 'Customer' });
    await waitFor(async () => (await h.req('GET', '/queues/8008')).body.callers === 1, 'the caller in the model');

    const s = await h.stream('queues=8008');
    expect(s.status).toBe(200);
    expect(s.contentType).toMatch(/^text\/event-stream/);
    await s.until((ev) => ev.length > 0, 'the snapshot');
    expect(s.events[0]!.type).toBe('snapshot');
    const snap = snapshotOf(s);
    expect(snap).toMatchObject({ connected: true, synced: true, agents: [] });
    expect(snap.members).toEqual([expect.objectContaining({ queue: '8008', interface: 'PJSIP/1001', number: '1001', paused: true, reason: 'lunch', status: 'not-in-use', call: null })]);
    expect(snap.queues).toEqual([expect.objectContaining({ queue: '8008', loggedIn: 1, paused: 1, callers: 1, waiting: [expect.objectContaining({ number: '74950001122', position: 1 })] })]);

    const everything = await h.stream();
    await everything.until((ev) => ev.length > 0, 'the snapshot');
    expect(snapshotOf(everything).members.map((m: { interface: string }) => m.interface)).toEqual(['PJSIP/1001', 'PJSIP/2001']);
  });

  it('refuses a stream without a token, and a malformed scope, before it starts', async () => {
    const anon = await fetch(`${h.base}/events`);
    expect(anon.status).toBe(401);
    const bad = await h.stream('agents=7,x', READ_TOKEN);
    expect(bad.status).toBe(400);
  });
});

describe('scoped clients', () => {
  it('each get exactly the events of their queue, agent or number; an unscoped one gets all', async () => {
    await createAgent(h.app.svc.store, { id: '7001', name: 'Olga', pin: '86420', queues: [{ queue: '8008', penalty: 0 }] }, { pinHash: { ln: 4, r: 1, p: 1 } });
    const q8008 = await h.stream('queues=8008');
    const q8009 = await h.stream('queues=8009');
    const agent = await h.stream('agents=7001');
    const numberB = await h.stream(`numbers=${B}`);
    const all = await h.stream();
    for (const s of [q8008, q8009, agent, numberB, all]) await s.until((ev) => ev.length > 0, 'the snapshot');

    expect((await h.req('POST', `/numbers/${A}/login`, { body: { queues: ['8008'] } })).status).toBe(200);
    expect((await h.req('POST', `/numbers/${B}/login`, { body: { queues: ['8009'] } })).status).toBe(200);
    expect((await h.req('POST', '/numbers/79990001122/login', { body: { queues: ['8009'] } })).status).toBe(409);
    expect((await h.req('POST', '/agents/7001/login', { body: { phone: '1001' } })).status).toBe(200);
    // Who an agent is comes from its login's audit entry, a moment after its member appears.
    await agent.until(last(agent, 'agentLoggedIn agent 7001 at 1001 [8008]'), 'the agent logged in');
    expect((await h.req('POST', '/agents/7001/pause', { body: { reason: 'lunch' } })).status).toBe(200);
    const caller = h.ami.addCaller('8009', { number: '74950001122', name: 'Customer' });
    h.ami.answerCall('8009', caller, B_IFACE);
    h.ami.completeCall('8009', B_IFACE, { talkTime: 42 });
    h.ami.abandonCaller('8008', h.ami.addCaller('8008', { number: '74950009999' }));

    await q8008.until(last(q8008, 'callers 8008 abandoned 0'), 'the last 8008 event');
    await q8009.until(last(q8009, `status 8009 ${B} not-in-use`), 'the last 8009 event');
    await all.until(last(all, 'callers 8008 abandoned 0'), 'the last event');
    await numberB.until(last(numberB, `status 8009 ${B} not-in-use`), 'the last event of B');

    expect(q8008.changes()).toEqual([
      `loggedIn 8008 ${A}`,
      'loggedIn 8008 1001',
      'agentLoggedIn agent 7001 at 1001 [8008]',
      'paused 8008 1001 lunch',
      'callers 8008 joined 1',
      'callers 8008 abandoned 0',
    ]);
    expect(q8009.changes()).toEqual([
      `loggedIn 8009 ${B}`,
      'refused 8009 79990001122 NOT_AUTHORIZED',
      'callers 8009 joined 1',
      `offered 8009 ${B} 74950001122`,
      `status 8009 ${B} in-use`,
      'callers 8009 left 0',
      `callStarted 8009 ${B} with 74950001122`,
      `callEnded 8009 ${B} talk 42`,
      `status 8009 ${B} not-in-use`,
    ]);
    // A client naming only a number gets that number's events, and those about no one (callers waiting): its queue list is left out.
    expect(numberB.changes()).toEqual(all.changes().filter((l) => l.includes(B) || l.startsWith('callers')));
    expect(numberB.events.filter((e) => e.type !== 'snapshot' && e.type !== 'callers').every((e) => e.data.number === B)).toBe(true);
    // The agent's own events; its first member may have come before the agent was known at that phone.
    expect(agent.changes().filter((l) => !l.startsWith('loggedIn') && !l.startsWith('callers'))).toEqual(['agentLoggedIn agent 7001 at 1001 [8008]', 'paused 8008 1001 lunch']);
    expect(agent.events.filter((e) => e.type !== 'snapshot' && e.type !== 'callers').every((e) => e.data.agent === '7001')).toBe(true);
    expect([...all.changes()].sort()).toEqual([...q8008.changes(), ...q8009.changes()].sort());

    const paused = q8008.events.find((e) => e.type === 'paused')!.data;
    expect(paused).toMatchObject({ queue: '8008', agent: '7001', number: '1001', member: { paused: true, reason: 'lunch', agent: '7001', name: 'Olga' } });
    const started = q8009.events.find((e) => e.type === 'callStarted')!.data;
    expect(started).toMatchObject({ queue: '8009', number: B, call: { remote: '74950001122', remoteName: 'Customer', uniqueid: caller }, member: { inCall: true } });
    const ended = q8009.events.find((e) => e.type === 'callEnded')!.data;
    expect(ended.summary).toEqual({ remote: '74950001122', remoteName: 'Customer', uniqueid: caller, holdTime: expect.any(Number), talkTime: 42, reason: 'agent' });
    expect(q8009.events.find((e) => e.type === 'refused')!.data).toMatchObject({ action: 'login', subject: '79990001122', result: 'REFUSED', source: 'api', by: 'supervisor' });
  });
});

describe('across an AMI reconnect', () => {
  it('rebuilds from QueueStatus and tells only what changed while the link was down, then goes on', async () => {
    h.ami.addMember('8008', 'PJSIP/1001', { name: 'Desk 1' });
    h.ami.addMember('8008', 'PJSIP/1002', { name: 'Desk 2' });
    h.ami.addMember('8009', 'PJSIP/2001', { name: 'Desk 3' });
    h.ami.answerCall('8008', h.ami.addCaller('8008', { number: '74950000001' }), 'PJSIP/1001');
    h.ami.answerCall('8008', h.ami.addCaller('8008', { number: '74950000002' }), 'PJSIP/1002');
    const s = await h.stream();
    await s.until((ev) => ev.length > 0, 'the snapshot');
    expect(snapshotOf(s).members.filter((m: { call: unknown }) => m.call)).toHaveLength(2);
    const logins = h.ami.logins;

    // The link drops; Asterisk goes on without us.
    h.ami.dropConnections();
    h.ami.removeMember('8009', 'PJSIP/2001');
    h.ami.addMember('8009', 'PJSIP/2002', { name: 'Desk 4' });
    h.ami.pauseMember('8008', 'PJSIP/1001', true, 'wrapup');
    h.ami.completeCall('8008', 'PJSIP/1002');
    h.ami.addCaller('8008', { number: '74950000003' });

    await s.until(last(s, 'pbx connected synced'), 'the re-sync', 5000);
    expect(h.ami.logins).toBe(logins + 1);
    // Asterisk filters the events for us, on the new session too.
    expect(h.ami.actions.filter((x) => x.Action === 'Filter' && x.Filter === LIVE_AMI_FILTER)).toHaveLength(2);
    expect(s.changes()).toEqual([
      'pbx disconnected',
      'pbx connected',
      'paused 8008 1001 wrapup',
      'callEnded 8008 1002 unseen',
      'status 8008 1002 not-in-use',
      'loggedIn 8009 2002',
      'loggedOut 8009 2001',
      'callers 8008 resync 1',
      'pbx connected synced',
    ]);

    // What a client connecting now is told matches what this one pieced together.
    const fresh = await h.stream();
    await fresh.until((ev) => ev.length > 0, 'the snapshot');
    const members = snapshotOf(fresh).members.map((m: { interface: string; paused: boolean; status: string; call: { remote: string } | null }) =>
      `${m.interface} ${m.paused ? 'paused' : 'ready'} ${m.status} ${m.call?.remote ?? '-'}`);
    expect(members).toEqual([
      'PJSIP/1001 paused in-use 74950000001',
      'PJSIP/1002 ready not-in-use -',
      'PJSIP/2002 ready not-in-use -',
    ]);
    expect(snapshotOf(fresh).queues.map((q: { queue: string; callers: number }) => `${q.queue} ${q.callers}`)).toEqual(['8008 1', '8009 0']);

    // The stream goes on: the call that outlived the outage ends with its summary.
    h.ami.completeCall('8008', 'PJSIP/1001', { talkTime: 30 });
    await s.until(last(s, 'status 8008 1001 not-in-use'), 'the call end');
    expect(s.changes().slice(9)).toEqual(['callEnded 8008 1001 talk 30', 'status 8008 1001 not-in-use']);
  });
});
