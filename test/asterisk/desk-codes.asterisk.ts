// The desk-phone feature codes *4580 and *4581 of [from-internal-custom],
// reached the way a FreePBX phone reaches them (from-internal includes
// from-internal-custom). Members ring the desk through FreePBX's from-queue,
// from-internal and ext-local.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';
import type { World } from './support/world.ts';

const desk = (ext: string) => `Local/${ext}@from-queue/n`;
/** The state of the desk's queue key for 8008, as a phone subscribed to the hint would see it. */
const lamp = async (w: World, ext: string) =>
  (await w.ami.action({ Action: 'ExtensionState', Exten: `*45${ext}*8008`, Context: 'ext-queues' })).response.StatusText;

describe.skipIf(asteriskMissing)('*4580 and *4581 from a desk phone', () => {
  const world = useWorld({ setup: (w) => admin(w, { args: ['allow', 'add', '8008', '1002', '--name', 'Reception'] }) });

  it('*4580 toggles the desk into 8008 as Local/<ext>@from-queue/n, and a queue call rings that desk through ext-local', async () => {
    const w = world();
    const c = await w.call({ context: 'from-internal', exten: '*4580', from: '1002' });
    expect(c.scripts).toEqual([expect.stringMatching(/\/queue-toggle\?queue=8008&context=from-queue$/)]);
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDIN', QUEUESTAT: 'LOGGEDIN' });
    expect(c.heard).toEqual(['agent-loginok', 'digits:1002']);
    expect(await w.members('8008')).toEqual([expect.objectContaining({ interface: desk('1002'), name: 'Reception' })]);
    // The phone key FreePBX offers for it (*451002*8008, hint Custom:QUEUE1002*8008) lights up.
    expect(await lamp(w, '1002')).toBe('InUse');

    await w.phone('1002', 'answer', { holdSec: 1 });
    const q = await w.queueCall('8008', { until: (r) => r.events.some((e) => e.Event === 'AgentComplete') });
    expect(q.rang).toEqual(['1002']);
    expect(q.events.find((e) => e.Event === 'AgentConnect')).toMatchObject({ Interface: desk('1002') });
  });

  it('*4581 says "logged in" to a desk in a queue, with QUEUESTAT=LOGGEDIN', async () => {
    const w = world();
    const c = await w.call({ context: 'from-internal', exten: '*4581', from: '1002' });
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: '8008' });
    expect(c.heard).toEqual(['agent-loginok']);
  });

  it('*4580 again toggles the desk out; *4581 then says "logged off"', async () => {
    const w = world();
    const c = await w.call({ context: 'from-internal', exten: '*4580', from: '1002' });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT' });
    expect(c.heard).toEqual(['agent-loggedoff']);
    expect(await w.members('8008')).toEqual([]);
    expect(await lamp(w, '1002')).toBe('Idle');
    const st = await w.call({ context: 'from-internal', exten: '*4581', from: '1002' });
    expect(st.vars).toMatchObject({ QUEUESTAT: 'NOQUEUES' });
    expect(st.heard).toEqual(['agent-loggedoff']);
  });

  it('*4580 with Asterisk\'s AMI away from the service: ERROR, nothing changed, the caller hears the error prompt', async () => {
    const w = world();
    const cut = await w.cutServiceAmi();
    try {
      const c = await w.call({ context: 'from-internal', exten: '*4580', from: '1002' });
      expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGENTGATE_ERROR: 'PBX_UNAVAILABLE', QUEUESTAT: 'ERROR' });
      expect(c.heard[0]).toBe('an-error-has-occurred');
    } finally {
      await cut.restore();
    }
    expect(await w.members('8008')).toEqual([]);
  });

  // Was a defect (issue 12): *4581 checked only AGISTATUS, so after an ERROR
  // (AGISTATUS=SUCCESS, QUEUESTAT=ERROR) it still plays "logged off": the
  // caller heard a state nobody knows.
  it('*4581 when the service cannot reach Asterisk: no "logged in/off" after the error, the failure branch instead', async () => {
    const w = world();
    const cut = await w.cutServiceAmi();
    try {
      const c = await w.call({ context: 'from-internal', exten: '*4581', from: '1002' });
      expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', QUEUESTAT: 'ERROR', AGENTGATE_ERROR: 'PBX_UNAVAILABLE' });
      expect(c.heard).toEqual(['an-error-has-occurred']);
      expect(c.contexts).toContain('agentgate-failed');
    } finally {
      await cut.restore();
    }
  });

  // A service killed between a change's record and its lamp leaves the key
  // lit with no member behind it (found by test/faults/kill-points.faults.ts);
  // so does FreePBX's own toggle before agentgate took over. Only the hints
  // tell which keys a phone shows: the re-sync reads them with the shipped
  // user (ExtensionStateList is class call) and turns such lamps off.
  it('a queue key left lit with no member behind it goes dark at the next re-sync; a logged-in desk\'s stays lit', async () => {
    const w = world();
    await w.ami.setGlobal('DEVICE_STATE(Custom:QUEUE1003*8008)', 'INUSE');
    await w.ami.setGlobal('DEVICE_STATE(Custom:QUEUE1004*8008)', 'ONHOLD');
    expect(await lamp(w, '1003')).toBe('InUse');
    const c = await w.call({ context: 'from-internal', exten: '*4580', from: '1002' });
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN' });

    await w.app.sync.resync('test');
    expect(await lamp(w, '1003')).toBe('Idle');
    expect(await lamp(w, '1004')).toBe('Idle');
    expect(await lamp(w, '1002')).toBe('InUse');
    expect((await w.call({ context: 'from-internal', exten: '*4580', from: '1002' })).vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT' });
  });
});
