// Issue 5 end to end: the agent scripts through the FastAGI double and the AMI
// double, against a real Redis, and the CLI's agent functions on the same app.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, getAgent } from '../../lib/agents/accounts.ts';
import { bindAgent, getAgentBinding, getPhoneAgent } from '../../lib/agents/bindings.ts';
import { reapplyCompatGlobals } from '../../lib/agents/compat-globals.ts';
import { agentDeps } from '../../lib/services.ts';
import { PhoneTakenError } from '../../lib/agents/errors.ts';
import { loginAgent } from '../../lib/agents/login.ts';
import { agentCmd } from '../../lib/cli/agent-commands.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { listIntents } from '../../lib/store/intents.ts';
import { callFastAgi, type FastAgiCallOptions } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

// Cheap hashes keep the suite fast; a correct PIN is re-hashed at today's cost on its first use.
const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
const PIN = '86420';
const DESK = '1001';
const DESK2 = '1002';
const MOBILE = '79112223344';
const CTX = 'from-queue';
const at = (phone: string, context = CTX) => `Local/${phone}@${context}/n`;

let h: Harness;
let logLines: string[];
afterEach(() => h.stop());

async function start(env: Record<string, string> = {}): Promise<void> {
  logLines = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  h = await startHarness({ env: { MEMBER_CONTEXT: CTX, ...env }, logger });
  await createAgent(store(), { id: '7001', name: 'Ivan Petrov', pin: PIN, queues: [{ queue: '8008', penalty: 2 }, { queue: '8009', penalty: 5 }], mobile: MOBILE }, FAST);
  await createAgent(store(), { id: '7002', name: 'Anna Smirnova', pin: '13579', queues: [{ queue: '8008', penalty: 0 }] }, FAST);
}

const store = () => h.app.svc.store;
const call = (script: string, callerId: string, more: Partial<FastAgiCallOptions> = {}) => callFastAgi(h.port, { script, callerId, ...more });
const membersAt = (iface: string) => h.ami.members().filter((m) => m.interface === iface).map((m) => ({ queue: m.queue, name: m.name, penalty: m.penalty, paused: m.paused, reason: m.pausedReason }));
const actionsNamed = (name: string) => h.ami.actions.filter((a) => a.Action === name);
const global = (phone: string) => h.app.svc.ami.getvar(`AGENTBYCALLERID_${phone}`);
const auditLines = async () => (await readAudit(store(), { count: 200 })).reverse().map((a) => `${a.action} ${a.subject} ${a.queue ?? '-'} ${a.result}`);

async function loginAtDesk(phone = DESK, agent = '7001', pin = PIN) {
  const c = await call('agent-login', phone, { dtmf: [agent, pin] });
  expect(c.variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
  return c;
}

describe('agent-login / agent-logout', () => {
  it('logs an agent in at a desk phone with ID and PIN, and out again from that phone without a PIN', async () => {
    await start({ AGENT_COMPAT_GLOBALS: 'true' });
    const login = await call('agent-login', DESK, { dtmf: ['7001', PIN] });
    expect(login.prompts).toEqual(['agent-user', 'agent-pass']);
    expect(login.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: DESK, AGENTGATE_QUEUES: '8008,8009', AGENTGATE_MOVED_FROM: '' });
    expect(login.played).toEqual(['agent-loginok']);
    expect(membersAt(at(DESK))).toEqual([
      { queue: '8008', name: 'Ivan Petrov', penalty: 2, paused: false, reason: '' },
      { queue: '8009', name: 'Ivan Petrov', penalty: 5, paused: false, reason: '' },
    ]);
    expect(await getAgentBinding(store(), '7001')).toMatchObject({ phone: DESK, interface: at(DESK) });
    expect(await getPhoneAgent(store(), DESK)).toBe('7001');
    expect(await listMemberRecords(store())).toMatchObject([
      { queue: '8008', interface: at(DESK), subject: '7001', kind: 'agent', penalty: 2, source: 'agentgate' },
      { queue: '8009', interface: at(DESK), subject: '7001', kind: 'agent', penalty: 5, source: 'agentgate' },
    ]);
    expect(await global(DESK)).toBe('7001');
    expect(await listIntents(store())).toEqual([]);

    const logout = await call('agent-logout', DESK);
    expect(logout.prompts).toEqual([]);
    expect(logout.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: DESK });
    expect(logout.played).toEqual(['agent-loggedoff']);
    expect(membersAt(at(DESK))).toEqual([]);
    expect(await getAgentBinding(store(), '7001')).toBeNull();
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    expect(await listMemberRecords(store())).toEqual([]);
    expect(await global(DESK)).toBe('');
    expect(await auditLines()).toEqual(['login 7001 8008 OK', 'login 7001 8009 OK', 'logout 7001 8008 OK', 'logout 7001 8009 OK']);

    // The PIN went over the AGI wire (GET DATA's answer) and nowhere else.
    const everything = [...logLines, ...(await readAudit(store(), { count: 200 })).map((a) => JSON.stringify(a)), ...h.ami.actions.map((a) => JSON.stringify(a))].join('\n');
    expect(everything).not.toContain(PIN);
  });

  it('asks only the PIN of an agent calling from its own mobile, and logs in at the mobile', async () => {
    await start();
    const c = await call('agent-toggle', `+${MOBILE}`, { dtmf: [PIN] });
    expect(c.prompts).toEqual(['agent-pass']);
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: MOBILE });
    expect(membersAt(at(MOBILE))).toHaveLength(2);
    const off = await call('agent-toggle', MOBILE);
    expect(off.prompts).toEqual([]);
    expect(off.variables.AGENTGATE_RESULT).toBe('LOGGEDOUT');
    expect(membersAt(at(MOBILE))).toEqual([]);
  });

  it('answers agent-alreadyon to a second login at the same phone and changes nothing', async () => {
    await start();
    await loginAtDesk();
    const adds = actionsNamed('QueueAdd').length;
    const again = await call('agent-login', DESK);
    expect(again.prompts).toEqual([]);
    expect(again.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7001' });
    expect(again.played).toEqual(['agent-alreadyon']);
    expect(actionsNamed('QueueAdd')).toHaveLength(adds);
  });

  it('logs an agent out from another phone with its ID and PIN, wherever it is bound', async () => {
    await start();
    await loginAtDesk();
    const c = await call('agent-logout', DESK2, { dtmf: ['7001', PIN] });
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_PHONE: DESK });
    expect(membersAt(at(DESK))).toEqual([]);
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
  });
});

describe('wrong PINs', () => {
  it('changes nothing when the caller hangs up while keying the PIN', async () => {
    await start();
    const c = await call('agent-login', DESK, { dtmf: ['7001', PIN], hangupAt: { command: /^GET DATA "agent-pass"/ } });
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'AGI_HANGUP' });
    expect(actionsNamed('QueueAdd')).toEqual([]);
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    expect((await call('agent-status', DESK)).variables).toMatchObject({ AGENTSTATUS: 'LOGGEDOUT', AGENTGATE_AGENT: '' });
  });

  it('refuses a wrong PIN and a wrong ID the same way, after three tries, and adds nobody', async () => {
    await start();
    const wrongPin = await call('agent-login', DESK, { dtmf: ['7001', '1111', '7001', '2222', '7001', '3333'] });
    const wrongId = await call('agent-login', DESK2, { dtmf: ['9999', PIN, '9999', PIN, '9999', PIN] });
    for (const c of [wrongPin, wrongId]) {
      expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'BAD_PIN' });
      expect(c.prompts).toEqual(['agent-user', 'agent-pass', 'agent-user', 'agent-pass', 'agent-user', 'agent-pass']);
      expect(c.played).toEqual(['agent-incorrect', 'agent-incorrect', 'agent-incorrect']);
    }
    expect(actionsNamed('QueueAdd')).toEqual([]);
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    expect((await auditLines()).filter((l) => l.startsWith('pin ')).map((l) => l.replace(/unknown-[0-9a-f]{16}/, 'unknown-#'))).toEqual([...Array(3).fill('pin 7001 - REFUSED'), ...Array(3).fill('pin unknown-# - REFUSED')]);
  });

  it('locks the agent out at the limit, says so in the audit trail, and refuses even the right PIN until it ends', async () => {
    await start({ PIN_MAX_FAILURES: '4' });
    const first = await call('agent-login', DESK, { dtmf: ['7001', '1111', '7001', '2222', '7001', '3333'] });
    expect(first.variables.AGENTGATE_ERROR).toBe('BAD_PIN');
    const second = await call('agent-login', DESK, { dtmf: ['7001', '4444', '7001', PIN] });
    expect(second.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'PIN_LOCKED_OUT' });
    expect(second.prompts).toEqual(['agent-user', 'agent-pass']);
    expect(second.played).toEqual(['agent-incorrect']);
    const lockout = (await readAudit(store())).find((a) => a.action === 'pin-lockout');
    expect(lockout).toMatchObject({ subject: '7001', result: 'LOCKED_OUT', by: DESK, source: 'fastagi' });
    expect(lockout?.detail).toMatch(/agent/);

    // From another phone with the right PIN: the agent's lock-out holds; the PIN is not even asked.
    const right = await call('agent-login', DESK2, { dtmf: ['7001', PIN] });
    expect(right.variables.AGENTGATE_ERROR).toBe('PIN_LOCKED_OUT');
    expect(right.prompts).toEqual(['agent-user']);
    expect(actionsNamed('QueueAdd')).toEqual([]);
  });
});

describe('one phone, one agent', () => {
  it('two agents logging in at one phone at once: exactly one wins, the other is refused and leaves nothing behind', async () => {
    await start();
    for (const [ctxA, ctxB] of [[CTX, CTX], [CTX, 'outbound-allroutes']] as const) {
      const [a, b] = await Promise.all([
        call(`agent-login?agent=7001&context=${ctxA}`, DESK, { dtmf: [PIN] }),
        call(`agent-login?agent=7002&context=${ctxB}`, DESK, { dtmf: ['13579'] }),
      ]);
      const results = [a.variables.AGENTGATE_RESULT, b.variables.AGENTGATE_RESULT].sort();
      expect(results).toEqual(['LOGGEDIN', 'REFUSED']);
      const [won, lost] = a.variables.AGENTGATE_RESULT === 'LOGGEDIN' ? [a, b] : [b, a];
      expect(lost.variables.AGENTGATE_ERROR).toBe('PHONE_TAKEN');
      expect(lost.played).toEqual(['agent-alreadyon']);
      const winner = won.variables.AGENTGATE_AGENT!;
      expect(await getPhoneAgent(store(), DESK)).toBe(winner);
      expect(await getAgentBinding(store(), winner === '7001' ? '7002' : '7001')).toBeNull();
      // Every member in Asterisk is the winner's: the loser's, if it got as far as adding any, were undone.
      const names = new Set(h.ami.members().map((m) => m.name));
      expect(names).toEqual(new Set([winner === '7001' ? 'Ivan Petrov' : 'Anna Smirnova']));
      expect((await listMemberRecords(store())).every((r) => r.subject === winner)).toBe(true);
      expect((await call('agent-logout', DESK)).variables.AGENTGATE_RESULT).toBe('LOGGEDOUT');
      expect(h.ami.members()).toEqual([]);
    }
  });

  it('a race lost at the binding itself (another instance took the phone while Asterisk was changed) undoes the QueueAdds', async () => {
    await start();
    const ami = h.app.svc.ami;
    let taken = false;
    const deps = agentDeps(h.app.svc);
    deps.pbx = {
      queueStatus: (a) => ami.queueStatus(a),
      queueRemove: (a) => ami.queueRemove(a),
      queuePause: (a) => ami.queuePause(a),
      queueMemberRingInUse: (a) => ami.queueMemberRingInUse(a),
      setvar: (v, x) => ami.setvar(v, x),
      getvar: (v) => ami.getvar(v),
      async queueAdd(a) {
        if (!taken) {
          taken = true;
          await bindAgent(store(), { agentId: '7002', phone: DESK, interface: at(DESK, 'outbound-allroutes'), since: Date.now() });
        }
        return ami.queueAdd(a);
      },
    };
    const err = await loginAgent(deps, { agentId: '7001', phone: DESK, context: CTX, origin: { source: 'cli', by: 'test' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PhoneTakenError);
    expect(actionsNamed('QueueAdd')).toHaveLength(2);
    expect(membersAt(at(DESK))).toEqual([]);
    expect(await getAgentBinding(store(), '7001')).toBeNull();
    expect(await getPhoneAgent(store(), DESK)).toBe('7002');
    expect(await listMemberRecords(store())).toEqual([]);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'login', subject: '7001', result: 'REFUSED', detail: `PHONE_TAKEN phone=${DESK} agent=7002` });
  });

  it('moves an agent who logs in at a new phone: the old members go first, agent-newlocation', async () => {
    await start({ AGENT_COMPAT_GLOBALS: 'true' });
    await loginAtDesk(DESK);
    const before = h.ami.actions.length;
    const moved = await call('agent-login', DESK2, { dtmf: ['7001', PIN] });
    expect(moved.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_PHONE: DESK2, AGENTGATE_MOVED_FROM: DESK });
    expect(moved.played).toEqual(['agent-newlocation']);
    expect(membersAt(at(DESK))).toEqual([]);
    expect(membersAt(at(DESK2)).map((m) => m.queue)).toEqual(['8008', '8009']);
    const changes = h.ami.actions.slice(before).filter((a) => a.Action === 'QueueRemove' || a.Action === 'QueueAdd').map((a) => `${a.Action} ${a.Queue} ${a.Interface}`);
    expect(changes).toEqual([`QueueRemove 8008 ${at(DESK)}`, `QueueRemove 8009 ${at(DESK)}`, `QueueAdd 8008 ${at(DESK2)}`, `QueueAdd 8009 ${at(DESK2)}`]);
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    expect(await getPhoneAgent(store(), DESK2)).toBe('7001');
    expect((await listMemberRecords(store())).map((r) => r.interface)).toEqual([at(DESK2), at(DESK2)]);
    expect([await global(DESK), await global(DESK2)]).toEqual(['', '7001']);
    expect((await auditLines()).slice(-5)).toEqual(['move 7001 - OK', 'logout 7001 8008 OK', 'logout 7001 8009 OK', 'login 7001 8008 OK', 'login 7001 8009 OK']);
    // The old desk is free for the next agent.
    expect((await call('agent-login', DESK, { dtmf: ['7002', '13579'] })).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
  });
});

describe('agent-force-logout', () => {
  it('removes members Redis had lost, clears the globals that name the agent, and deletes a half binding', async () => {
    await start({ AGENT_COMPAT_GLOBALS: 'true' });
    await loginAtDesk(DESK);
    // What the normal logout cannot see: the agent's binding hash and member
    // records lost from Redis (the phone key left behind), an older member at
    // another phone that only Asterisk still has, and its global.
    await h.redis.redis.del(store().keys.agentBinding('7001'), store().keys.members('8008'), store().keys.members('8009'));
    h.ami.addMember('8009', at(DESK2), { name: 'Ivan Petrov', penalty: 5 });
    h.ami.addMember('8008', at('1003'), { name: 'Anna Smirnova' });
    await h.app.svc.ami.setvar(`AGENTBYCALLERID_${DESK2}`, '7001');
    await h.app.svc.ami.setvar('AGENTBYCALLERID_1003', '7002');
    expect(await getAgentBinding(store(), '7001')).toBeNull();
    expect(await getPhoneAgent(store(), DESK)).toBe('7001');
    // The phone key left behind is no proof of who is calling: the desk is asked for an ID, not trusted.
    const normal = await call('agent-logout', DESK);
    expect(normal.prompts[0]).toBe('agent-user');
    expect(normal.variables.AGENTGATE_RESULT).toBe('REFUSED');
    expect(membersAt(at(DESK))).toHaveLength(2);

    const c = await call('agent-force-logout', '5000', { dtmf: ['7001'] });
    expect(c.prompts).toEqual(['agent-user']);
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: '7001', AGENTGATE_REMOVED: '3' });
    expect(c.played).toEqual(['agent-loggedoff']);
    expect(h.ami.members().map((m) => `${m.queue} ${m.interface}`)).toEqual([`8008 ${at('1003')}`]);
    expect([await global(DESK), await global(DESK2), await global('1003')]).toEqual(['', '', '7002']);
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    // (The re-sync may have adopted Anna's member at 1003 meanwhile: that one is not the agent's.)
    expect((await listMemberRecords(store())).filter((r) => r.interface !== at('1003'))).toEqual([]);
    const audit = (await readAudit(store())).filter((a) => a.action === 'force-logout');
    expect(audit.every((a) => a.by === '5000' && a.source === 'fastagi' && a.subject === '7001')).toBe(true);
    expect(audit.map((a) => a.queue ?? '-').sort()).toEqual(['-', '8008', '8009', '8009']);
    // The desk is usable again at once.
    expect((await call('agent-login', DESK, { dtmf: ['7002', '13579'] })).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
  });

  it('takes the agent from agent= and needs no binding at all', async () => {
    await start();
    h.ami.addMember('8008', at(MOBILE, 'outbound-allroutes'), { name: 'Ivan Petrov' });
    const c = await call('agent-force-logout?agent=7001', '5000');
    expect(c.prompts).toEqual([]);
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_REMOVED: '1' });
    expect(h.ami.members()).toEqual([]);
  });
});

describe('agent-pause', () => {
  it('pauses with a reason in every queue, reports what Asterisk says, and unpauses', async () => {
    await start();
    await loginAtDesk();
    const pause = await call('agent-pause?mode=pause&reason=lunch', DESK);
    expect(pause.prompts).toEqual([]);
    expect(pause.variables).toMatchObject({
      AGENTGATE_RESULT: 'PAUSED', AGENTSTATUS: 'PAUSED', AGENTGATE_AGENT: '7001', AGENTGATE_PAUSE_REASON: 'lunch', AGENTGATE_PAUSED_QUEUES: '8008,8009',
    });
    expect(pause.played).toEqual(['dictate/pause', 'activated']);
    const sent = actionsNamed('QueuePause');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ Interface: at(DESK), Paused: 'true', Reason: 'lunch' });
    expect(sent[0]).not.toHaveProperty('Queue');
    expect(membersAt(at(DESK)).map((m) => [m.queue, m.paused, m.reason])).toEqual([['8008', true, 'lunch'], ['8009', true, 'lunch']]);
    expect((await listMemberRecords(store())).map((r) => [r.queue, r.paused, r.reason])).toEqual([['8008', true, 'lunch'], ['8009', true, 'lunch']]);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'pause', subject: '7001', result: 'OK', detail: `reason=lunch phone=${DESK}` });

    const status = await call('agent-status', DESK);
    expect(status.variables).toMatchObject({ AGENTSTATUS: 'PAUSED', AGENTGATE_PAUSE_REASON: 'lunch', AGENTGATE_QUEUES: '8008,8009' });

    const toggle = await call('agent-pause', DESK);
    expect(toggle.variables).toMatchObject({ AGENTGATE_RESULT: 'UNPAUSED', AGENTSTATUS: 'AVAILABLE', AGENTGATE_PAUSE_REASON: '', AGENTGATE_PAUSED_QUEUES: '' });
    expect(toggle.played).toEqual(['dictate/pause', 'de-activated']);
    expect(membersAt(at(DESK)).every((m) => !m.paused)).toBe(true);
    expect((await readAudit(store()))[0]).toMatchObject({ action: 'unpause', result: 'OK' });
  });

  it('pauses in one queue only: the agent stays AVAILABLE through the other', async () => {
    await start();
    await loginAtDesk();
    const c = await call('agent-pause?mode=pause&queue=8009&reason=break', DESK);
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', AGENTSTATUS: 'AVAILABLE', AGENTGATE_PAUSE_REASON: 'break', AGENTGATE_PAUSED_QUEUES: '8009' });
    expect(actionsNamed('QueuePause')[0]).toMatchObject({ Queue: '8009', Reason: 'break' });
    expect(membersAt(at(DESK)).map((m) => [m.queue, m.paused])).toEqual([['8008', false], ['8009', true]]);
  });

  it('refuses an agent that is not logged in, and one that Asterisk has lost, with agent-loggedoff', async () => {
    await start();
    const out = await call('agent-pause?mode=pause', DESK2, { dtmf: ['7001', PIN] });
    expect(out.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_LOGGED_IN', AGENTSTATUS: 'REFUSED' });
    expect(out.played).toEqual(['agent-loggedoff']);
    await loginAtDesk();
    h.ami.removeMember('8008', at(DESK));
    h.ami.removeMember('8009', at(DESK));
    const lost = await call('agent-pause?mode=pause', DESK);
    expect(lost.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_LOGGED_IN' });
    expect(actionsNamed('QueuePause')).toEqual([]);
    expect((await call('agent-status', DESK)).variables.AGENTSTATUS).toBe('LOGGEDOUT');
  });
});

describe('the CLI agent commands', () => {
  const io = (pin = '24680') => ({ by: 'alice', readPin: async () => pin });

  it('deleting a logged-in agent logs it out first', async () => {
    await start({ AGENT_COMPAT_GLOBALS: 'true' });
    await loginAtDesk();
    const out: string[] = [];
    await agentCmd(h.app.svc, (l) => out.push(l), ['delete', '7001'], {}, io());
    expect(out).toEqual([`deleted agent 7001 (logged out first: removed 2 members: 8008 ${at(DESK)}, 8009 ${at(DESK)}; cleared AGENTBYCALLERID_${DESK}; released phone ${DESK})`]);
    expect(h.ami.members()).toEqual([]);
    expect(await getAgent(store(), '7001')).toBeNull();
    expect(await getPhoneAgent(store(), DESK)).toBeNull();
    expect(await global(DESK)).toBe('');
    const audit = await readAudit(store());
    expect(audit[0]).toMatchObject({ action: 'delete', subject: '7001', by: 'alice', source: 'cli' });
    expect(audit.some((a) => a.action === 'force-logout' && a.by === 'alice')).toBe(true);
    // The deleted agent's ID and PIN open nothing.
    expect((await call('agent-login', DESK, { dtmf: ['7001', PIN] })).variables.AGENTGATE_ERROR).toBe('BAD_PIN');
  });

  it('creates an agent with a PIN that never touched argv, and lists where agents are', async () => {
    await start();
    const out: string[] = [];
    await agentCmd(h.app.svc, (l) => out.push(l), ['create', '7003'], { name: 'Olga Ivanova', queues: '8009:3' }, io('24680'));
    expect(out).toEqual(['created agent 7003 (Olga Ivanova) in 8009 (penalty 3)']);
    const c = await call('agent-login', DESK, { dtmf: ['7003', '24680'] });
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_QUEUES: '8009' });
    out.length = 0;
    await agentCmd(h.app.svc, (l) => out.push(l), ['list'], {}, io());
    expect(out.map((l) => l.replace(/ since \S+$/, ''))).toEqual([
      `7001\tIvan Petrov\t8008:2,8009:5\tmobile ${MOBILE}\tlogged out`,
      '7002\tAnna Smirnova\t8008:0\t-\tlogged out',
      `7003\tOlga Ivanova\t8009:3\t-\tlogged in at ${DESK} (${at(DESK)})`,
    ]);
  });
});

describe('AGENTBYCALLERID after an Asterisk restart', () => {
  it('reapplyCompatGlobals sets the globals again for every bound agent', async () => {
    await start({ AGENT_COMPAT_GLOBALS: 'true' });
    await loginAtDesk(DESK);
    await loginAtDesk(DESK2, '7002', '13579');
    await h.ami.restart({ keepMembers: true });
    await waitFor(() => h.app.svc.ami.connected, 'AMI reconnect');
    // The app calls it itself after the restart's re-sync (lib/app.ts), so the globals come back unasked.
    await waitFor(async () => (await global(DESK)) === '7001' && (await global(DESK2)) === '7002', 'globals set again by the app');
    expect(await reapplyCompatGlobals(agentDeps(h.app.svc))).toBe(2);
    expect([await global(DESK), await global(DESK2)]).toEqual(['7001', '7002']);
  });
});

describe('a result longer than one AGI command line', () => {
  it('an agent in 60 long-named queues is LOGGEDIN, with AGENTGATE_QUEUES cut at a queue and marked, never ERROR after the work', async () => {
    const queues = Array.from({ length: 60 }, (_, i) => `sales-and-support-north-west-region-${String(i).padStart(2, '0')}`);
    logLines = [];
    h = await startHarness({ queues, env: { MEMBER_CONTEXT: CTX } });
    await createAgent(store(), { id: '7003', name: 'Olga Long', pin: PIN, queues: queues.map((queue) => ({ queue, penalty: 0 })) }, FAST);
    const login = await call('agent-login?agent=7003', DESK, { dtmf: [PIN] });
    expect(login.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7003' });
    expect(login.played).toEqual(['agent-loginok']);
    expect(h.ami.members().filter((m) => m.interface === at(DESK))).toHaveLength(60);
    const shown = login.variables.AGENTGATE_QUEUES!;
    expect(shown.endsWith(',...')).toBe(true);
    const listed = shown.slice(0, -',...'.length).split(',');
    expect(listed.length).toBeGreaterThan(20);
    expect(listed).toEqual(queues.slice(0, listed.length));
    expect(Buffer.byteLength(`SET VARIABLE "AGENTGATE_QUEUES" "${shown}"`) + 1).toBeLessThanOrEqual(2047);
  });
});
