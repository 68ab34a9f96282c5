// An intent can wait a long time for the re-sync that rolls it back: a reply
// lost with the process alive is settled at the next AMI login, which may be
// days away, and another instance on the same Redis may serve the agent in
// the meantime. What agents did since, and were told was done, must stand:
// the rollback of an agent's binding yields to a change that settled it, and
// a change whose binding moved while it waited for its locks reads it again.
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { bindAgent, getAgentBinding, unbindAgent } from '../../lib/agents/bindings.ts';
import { loginAgent } from '../../lib/agents/login.ts';
import { listMemberRecords, recordChange } from '../../lib/members/records.ts';
import { agentDeps } from '../../lib/services.ts';
import { beginIntent, listIntents } from '../../lib/store/intents.ts';
import { withInterfaceLocks } from '../../lib/store/lock.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
const PIN = '86420';
const desk = (phone: string) => `Local/${phone}@from-queue/n`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(): Promise<Harness> {
  h = await startHarness({ env: { MEMBER_CONTEXT: 'from-queue' } });
  await waitFor(() => h!.app.sync.status().lastResyncAt !== undefined, 'first re-sync');
  await h.app.sync.idle();
  await createAgent(h.app.svc.store, { id: '7001', name: 'Ivan Petrov', pin: PIN, queues: [{ queue: '8008', penalty: 2 }] }, FAST);
  return h;
}

const call = (h: Harness, script: string, phone: string) => callFastAgi(h.port, { script, callerId: phone, dtmf: [PIN] });

/** Where the agent is: its binding's phone ('' unbound), and the interfaces Asterisk has for it. */
async function whereIs(h: Harness): Promise<{ binding: string; members: string[] }> {
  return {
    binding: (await getAgentBinding(h.app.svc.store, '7001'))?.phone ?? '',
    members: h.ami.members().filter((m) => m.name === 'Ivan Petrov').map((m) => `${m.queue} ${m.interface}`),
  };
}

/** Logged in at 1001, then a logout killed after its unbind: intent, member out, binding gone, records still there. */
async function failedLogoutAt1001(h: Harness): Promise<void> {
  const store = h.app.svc.store;
  expect((await call(h, 'agent-login?agent=7001&prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
  const since = (await getAgentBinding(store, '7001'))!.since;
  await beginIntent(store, {
    subject: '7001', adds: [], removes: [{ queue: '8008', interface: desk('1001'), member: { penalty: 2, name: 'Ivan Petrov', paused: false, reason: '' } }],
    binding: { agentId: '7001', was: { phone: '1001', interface: desk('1001'), since }, to: null },
  });
  h.ami.removeMember('8008', desk('1001'), { quiet: true });
  await unbindAgent(store, '7001', { phone: '1001' });
}

/** Logged in at 1001, then a move to 1002 killed after its bind: the member at 1001 out, the one at 1002 in, no record. */
async function failedMoveTo1002(h: Harness): Promise<void> {
  const store = h.app.svc.store;
  expect((await call(h, 'agent-login?agent=7001&prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
  const since = (await getAgentBinding(store, '7001'))!.since;
  await beginIntent(store, {
    subject: '7001', adds: [{ queue: '8008', interface: desk('1002') }],
    removes: [{ queue: '8008', interface: desk('1001'), member: { penalty: 2, name: 'Ivan Petrov', paused: false, reason: '' } }],
    binding: { agentId: '7001', was: { phone: '1001', interface: desk('1001'), since }, to: { phone: '1002', interface: desk('1002') } },
  });
  h.ami.removeMember('8008', desk('1001'), { quiet: true });
  h.ami.addMember('8008', desk('1002'), { name: 'Ivan Petrov', penalty: 2, quiet: true });
  await bindAgent(store, { agentId: '7001', phone: '1002', interface: desk('1002'), since: Date.now() });
}

describe('an intent left for a later re-sync', () => {
  it('a login that failed after its binding step, dialled again and told LOGGEDIN: the re-sync keeps the agent there', async () => {
    const h = await start();
    const store = h.app.svc.store;
    // The failed login left its intent, its member and its binding; no record.
    await beginIntent(store, { subject: '7001', adds: [{ queue: '8008', interface: desk('1001') }], removes: [], binding: { agentId: '7001', was: null, to: { phone: '1001', interface: desk('1001') } } });
    h.ami.addMember('8008', desk('1001'), { name: 'Ivan Petrov', penalty: 2, quiet: true });
    await bindAgent(store, { agentId: '7001', phone: '1001', interface: desk('1001'), since: 1 });

    expect((await call(h, 'agent-login?agent=7001&prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    await h.app.sync.resync('test');
    expect(await listIntents(store)).toEqual([]);
    expect(await whereIs(h)).toEqual({ binding: '1001', members: [`8008 ${desk('1001')}`] });
  });

  it('a move between desks that failed after its binding step, dialled again at the new desk: the re-sync does not ring the old desk again', async () => {
    const h = await start();
    const store = h.app.svc.store;
    await failedMoveTo1002(h);

    expect((await call(h, 'agent-login?agent=7001&prompts=no', '1002')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    await h.app.sync.resync('test');
    expect(await listIntents(store)).toEqual([]);
    expect(await whereIs(h)).toEqual({ binding: '1002', members: [`8008 ${desk('1002')}`] });
    expect((await listMemberRecords(store)).map((r) => r.interface)).toEqual([desk('1002')]);
  });

  it('a logout that failed after its unbind, then a login and a logout told done: the re-sync leaves the agent out', async () => {
    const h = await start();
    const store = h.app.svc.store;
    await failedLogoutAt1001(h);

    expect((await call(h, 'agent-login?agent=7001&prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect((await call(h, 'agent-logout?prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDOUT');
    await h.app.sync.resync('test');
    expect(await listIntents(store)).toEqual([]);
    expect(await whereIs(h)).toEqual({ binding: '', members: [] });
  });

  it('a logout that failed after its unbind, then a login at another desk and a logout there, told done: the agent is out everywhere', async () => {
    const h = await start();
    const store = h.app.svc.store;
    await failedLogoutAt1001(h);
    // The next change of the agent first rolls the failed one back (bound at 1001 again), then moves it.
    expect((await call(h, 'agent-login?agent=7001&prompts=no', '1002')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect(await listIntents(store)).toEqual([]);
    expect((await call(h, 'agent-logout?prompts=no', '1002')).variables.AGENTGATE_RESULT).toBe('LOGGEDOUT');
    await h.app.sync.resync('test');
    expect(await whereIs(h)).toEqual({ binding: '', members: [] });
    expect(await listMemberRecords(store)).toEqual([]);
  });

  it('a forced logout after a move that failed after its binding step: the agent is out at both desks', async () => {
    const h = await start();
    const store = h.app.svc.store;
    await failedMoveTo1002(h);
    expect((await callFastAgi(h.port, { script: 'agent-force-logout?agent=7001&prompts=no', callerId: '1099' })).variables.AGENTGATE_RESULT).toBe('LOGGEDOUT');
    await h.app.sync.resync('test');
    expect(await whereIs(h)).toEqual({ binding: '', members: [] });
    expect(await listMemberRecords(store)).toEqual([]);
  });

  it('a move that failed after its binding step, and another agent logged in at the old desk since: the first is unbound, and nothing of it rings there', async () => {
    const h = await start();
    const store = h.app.svc.store;
    await createAgent(store, { id: '7002', name: 'Anna Smirnova', pin: '13579', queues: [{ queue: '8009', penalty: 0 }] }, FAST);
    await failedMoveTo1002(h);
    // 1001 is free (7001 is bound at 1002): Anna takes it.
    expect((await callFastAgi(h.port, { script: 'agent-login?agent=7002&prompts=no', callerId: '1001', dtmf: ['13579'] })).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    await h.app.sync.resync('test');
    expect(await listIntents(store)).toEqual([]);
    expect(await whereIs(h)).toEqual({ binding: '', members: [] });
    expect((await listMemberRecords(store)).map((r) => `${r.subject} ${r.queue} ${r.interface}`)).toEqual([`7002 8009 ${desk('1001')}`]);
    expect(await getAgentBinding(store, '7002')).toMatchObject({ phone: '1001' });
  });

  it('a login whose binding the re-sync puts back while it waits for its locks reads it again: the old desk stops ringing', async () => {
    const h = await start();
    const store = h.app.svc.store;
    expect((await call(h, 'agent-login?agent=7001&prompts=no', '1001')).variables.AGENTGATE_RESULT).toBe('LOGGEDIN');
    // The login at 1003 reads the binding (1001) and waits for 1001's lock,
    // held meanwhile by a repair that puts the agent back at 1002.
    let moving!: Promise<unknown>;
    const repaired = withInterfaceLocks(store, [desk('1001'), desk('1002')], async () => {
      moving = loginAgent(agentDeps(h.app.svc), { agentId: '7001', phone: '1003', context: 'from-queue', origin: { source: 'cli', by: 'test' } });
      await new Promise((r) => setTimeout(r, 300));
      h.ami.removeMember('8008', desk('1001'));
      h.ami.addMember('8008', desk('1002'), { name: 'Ivan Petrov', penalty: 2 });
      await recordChange(store, {
        put: [{ queue: '8008', interface: desk('1002'), subject: '7001', kind: 'agent', penalty: 2, name: 'Ivan Petrov', since: 1, source: 'agentgate', paused: false, reason: '' }],
        remove: [{ queue: '8008', interface: desk('1001') }],
      });
      await bindAgent(store, { agentId: '7001', phone: '1002', interface: desk('1002'), since: 1 });
    });
    await repaired;
    await moving;
    await h.app.sync.idle();
    expect(await whereIs(h)).toEqual({ binding: '1003', members: [`8008 ${desk('1003')}`] });
  });
});
