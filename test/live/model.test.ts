// The live model fed with what a real Asterisk 22 sent during queue calls
// (ami-queue-call-*.log), and rebuilt from QueueStatus results: what a
// wallboard would be told, with no socket.
import { describe, expect, it } from 'vitest';
import type { QueueMember, QueueStatusResult } from '../../lib/ami/client.ts';
import { asteriskManager, type RawMessage } from '../../lib/ami/manager.ts';
import { toEvent, type AmiEvent } from '../../lib/ami/parser.ts';
import type { LiveEvent } from '../../lib/live/events.ts';
import { digest, digests, lastOfEach, LiveModel, supersedeKey } from '../../lib/live/model.ts';
import { inScope, parseScope } from '../../lib/live/scope.ts';
import { numberOfInterface } from '../../lib/asterisk/interfaces.ts';
import { compileNumberRules } from '../../lib/numbers.ts';
import { blocks } from '../ami/recordings.ts';

const MOBILE_IFACE = 'Local/79112223344@outbound-allroutes/n';

function recorded(file: string): AmiEvent[] {
  const out: RawMessage[] = [];
  const feed = asteriskManager.createReader((m) => out.push(m));
  for (const b of blocks(file)) if (b.dir === 'recv') feed(b.text);
  return out.filter((m) => typeof m.event === 'string').map(toEvent);
}

function model(agents: Record<string, string> = {}, now = () => 1_000_000) {
  return new LiveModel({ now, identify: (iface) => ({ number: numberOfInterface(iface) ?? null, agent: agents[iface] ?? null }) });
}

function play(m: LiveModel, events: AmiEvent[]): LiveEvent[] {
  const out: LiveEvent[] = [];
  for (const e of events) {
    const name = e.name;
    if (digests(name)) out.push(...digest(m, { ...e, name }));
  }
  return out;
}

const brief = (e: LiveEvent): string => {
  switch (e.type) {
    case 'status': return `status ${e.queue} ${e.previous}->${e.member.status}`;
    case 'callers': return `callers ${e.queue} ${e.change} ${e.count}`;
    case 'callStarted': return `callStarted ${e.queue} ${e.call.remote}`;
    case 'callEnded': return `callEnded ${e.queue} ${e.summary ? `talk ${e.summary.talkTime} hold ${e.summary.holdTime}` : 'unseen'}`;
    case 'offered': case 'ringNoAnswer': return `${e.type} ${e.queue} ${e.caller.number}`;
    case 'paused': return `paused ${e.queue} ${e.member.reason}`;
    default: return `${e.type} ${e.queue ?? ''}`.trim();
  }
};

function qm(over: Partial<QueueMember>): QueueMember {
  return {
    queue: '8008', name: 'Mobile', interface: MOBILE_IFACE, stateInterface: MOBILE_IFACE, membership: 'dynamic', penalty: 0,
    callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: 1795314050, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0, ...over,
  };
}

function status(members: QueueMember[], entries: QueueStatusResult['entries'] = [], queues = ['8008', '8009']): QueueStatusResult {
  return {
    params: queues.map((queue) => ({ queue, max: 0, strategy: 'ringall', calls: 0, holdtime: 0, talkTime: 0, completed: 0, abandoned: 0, serviceLevel: 0, serviceLevelPerf: 0, serviceLevelPerf2: 0, weight: 0 })),
    members,
    entries,
  };
}

describe('a call answered by a mobile member, as recorded', () => {
  const events = recorded('ami-queue-call-answered.log');

  it('tells the login, the waiting caller, the call with the remote number, its summary, and the logout', () => {
    const m = model();
    expect(play(m, events).map(brief)).toEqual([
      'loggedIn 8008',
      'loggedIn 8009',
      'callers 8008 joined 1',
      'offered 8008 74950001122',
      'status 8008 not-in-use->in-use',
      'callers 8008 left 0',
      'callStarted 8008 74950001122',
      'callEnded 8008 talk 5 hold 0',
      'status 8008 in-use->not-in-use',
      'loggedOut 8008',
      'loggedOut 8009',
    ]);
  });

  it('shows the member on the call with whom, and since when, while it lasts', () => {
    const m = model({}, () => 42_000);
    const upToConnect = events.slice(0, events.findIndex((e) => e.name === 'AgentConnect') + 1);
    play(m, upToConnect);
    const [member] = m.membersAt(MOBILE_IFACE).filter((x) => x.queue === '8008');
    expect(member).toMatchObject({
      number: '79112223344', name: 'Mobile 79112223344', status: 'in-use', since: 1795314050_000,
      call: { remote: '74950001122', remoteName: 'Customer', since: 42_000, holdTime: 0 },
    });
    expect(m.queues().find((q) => q.queue === '8008')).toMatchObject({ loggedIn: 1, callers: 0, waiting: [] });
  });

  it('replays over a re-sync snapshot only the newest of each member and caller: nothing stale, nothing twice', () => {
    // The snapshot was taken after the member went in use and the caller left.
    const m = model();
    m.rebuild(status([qm({ queue: '8008', name: 'Mobile 79112223344', status: 2 })], [], ['8008']));
    const window = events.slice(0, events.findIndex((e) => e.name === 'AgentConnect') + 1).filter((e) => e.headers.queue === '8008');
    const held = window.map((e) => ({ key: supersedeKey(e), e }));
    const replayed = lastOfEach(held).map((h) => h.e);
    expect(replayed.map((e) => e.name)).toEqual(['AgentCalled', 'QueueMemberStatus', 'QueueCallerLeave', 'AgentConnect']);
    expect(play(m, replayed).map(brief)).toEqual(['offered 8008 74950001122', 'callStarted 8008 74950001122']);
  });
});

describe('a caller nobody answers, as recorded', () => {
  it('tells the ring without answer and the abandoned caller once', () => {
    const m = model();
    expect(play(m, recorded('ami-queue-call-noanswer.log')).map(brief)).toEqual([
      'loggedIn 8009',
      'callers 8009 joined 1',
      'offered 8009 74950003344',
      'ringNoAnswer 8009 74950003344',
      'offered 8009 74950003344',
      'callers 8009 abandoned 0',
      'loggedOut 8009',
    ]);
  });
});

describe('rebuild from QueueStatus', () => {
  it('reports only what differs: a member gone, one added, a pause, callers waiting', () => {
    const m = model();
    m.rebuild(status([qm({}), qm({ queue: '8009' })]));
    const changes = m.rebuild(status(
      [qm({ paused: true, pausedReason: 'lunch', lastPause: 1795314100 }), qm({ queue: '8008', interface: 'PJSIP/1001', name: 'Desk' })],
      [{ queue: '8009', position: 1, channel: 'c', uniqueid: 'u1', callerIdNum: '7495', callerIdName: 'X', connectedLineNum: '', connectedLineName: '', wait: 3, priority: 0 }],
    ));
    expect(changes.map(brief).sort()).toEqual(['callers 8009 resync 1', 'loggedIn 8008', 'loggedOut 8009', 'paused 8008 lunch'].sort());
    expect(m.rebuild(status(
      [qm({ paused: true, pausedReason: 'lunch', lastPause: 1795314100 }), qm({ queue: '8008', interface: 'PJSIP/1001', name: 'Desk' })],
      [{ queue: '8009', position: 1, channel: 'c', uniqueid: 'u1', callerIdNum: '7495', callerIdName: 'X', connectedLineNum: '', connectedLineName: '', wait: 4, priority: 0 }],
    ))).toEqual([]);
  });

  it('keeps a call the member is still on, and reports one that ended unseen without inventing a summary', () => {
    const m = model();
    m.rebuild(status([qm({}), qm({ queue: '8009' })]));
    const connect = recorded('ami-queue-call-answered.log').find((e) => e.name === 'AgentConnect')!;
    digest(m, { ...connect, name: 'AgentConnect' });
    expect(m.rebuild(status([qm({ inCall: true, status: 2 }), qm({ queue: '8009' })])).map(brief)).toEqual(['status 8008 not-in-use->in-use']);
    expect(m.membersAt(MOBILE_IFACE).find((x) => x.queue === '8008')?.call?.remote).toBe('74950001122');
    expect(m.rebuild(status([qm({ callsTaken: 1 }), qm({ queue: '8009' })])).map(brief)).toEqual(['callEnded 8008 unseen', 'status 8008 in-use->not-in-use']);
    expect(m.membersAt(MOBILE_IFACE).find((x) => x.queue === '8008')?.call).toBeNull();
  });
});

describe('scope', () => {
  const rules = compileNumberRules({ rewrite: [], minDigits: 3, maxDigits: 15 });

  it('passes an event only when each scope property it has is in the lists given', () => {
    const q8008 = parseScope({ queues: '8008' }, rules);
    expect(inScope(q8008, { queue: '8008', number: '79112223344' })).toBe(true);
    expect(inScope(q8008, { queue: '8009', number: '79112223344' })).toBe(false);
    expect(inScope(q8008, { agent: '7' })).toBe(true);
    expect(inScope(q8008, {})).toBe(true);

    const agent7 = parseScope({ agents: '7', queues: '8008,8009' }, rules);
    expect(inScope(agent7, { queue: '8008', agent: '7', number: '79112223344' })).toBe(true);
    expect(inScope(agent7, { queue: '8008', number: '79112223344' })).toBe(false);
    expect(inScope(agent7, { queue: '8010', agent: '7' })).toBe(false);

    const byNumber = parseScope({ numbers: '+7 (911) 222-33-44' }, rules);
    expect(inScope(byNumber, { queue: '8008', agent: '7', number: '79112223344' })).toBe(true);
    expect(inScope(byNumber, { queue: '8008', number: '79110000000' })).toBe(false);
  });

  it('refuses names that could not be queues, agents or numbers', () => {
    expect(() => parseScope({ queues: '8008\r\nAction: Logoff' }, rules)).toThrow(/queue name/);
    expect(() => parseScope({ agents: 'x7' }, rules)).toThrow(/agent id/);
    expect(() => parseScope({ numbers: 'anonymous' }, rules)).toThrow();
    expect(() => parseScope({ queues: ' , ' }, rules)).toThrow(/at least one/);
  });
});
