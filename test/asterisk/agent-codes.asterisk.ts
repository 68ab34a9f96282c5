// An agent's shift at a desk phone with the feature codes of the shipped
// [from-internal-custom]: *4590 in (ID and PIN keyed on the phone), *4593
// status, *4591 pause toggle, *4592 lunch, *4590 out.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const DESK = '1001';
const at = `Local/${DESK}@from-queue/n`;
const code = (exten: string, keys?: string[]) => ({ context: 'from-internal', exten, from: DESK, keys });

describe.skipIf(asteriskMissing)('agent feature codes *4590 *4591 *4592 *4593', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['agent', 'create', '7001', '--name', 'Anna Smirnova', '--queues', '8008:1,8009:2'], pin: '4821' }),
  });
  const mine = async () => (await world().members()).filter((m) => m.interface === at);

  it('*4590 asks for the ID and the PIN, then logs the agent in at the desk in each of its queues with its name and penalties', async () => {
    const w = world();
    const c = await w.call(code('*4590', ['7001#', '4821#']));
    expect(c.heard).toEqual(['agent-user', 'agent-pass', 'agent-loginok']);
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: DESK, AGENTGATE_QUEUES: '8008,8009' });
    expect(await mine()).toEqual([
      expect.objectContaining({ queue: '8008', name: 'Anna Smirnova', penalty: 1, paused: false }),
      expect.objectContaining({ queue: '8009', name: 'Anna Smirnova', penalty: 2, paused: false }),
    ]);
    // The BLF lamp FreePBX's queue keys read (BLF_SCHEME=freepbx).
    expect(await w.ami.getGlobal(`DEVICE_STATE(Custom:QUEUE${DESK}*8008)`)).toBe('INUSE');
  });

  it('*4593 reports AVAILABLE and says "logged in"', async () => {
    const c = await world().call(code('*4593'));
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTSTATUS: 'AVAILABLE', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: DESK, AGENTGATE_QUEUES: '8008,8009' });
    expect(c.heard).toEqual(['agent-loginok']);
  });

  it('*4591 pauses the agent bound to the desk without a PIN, in every queue; again unpauses', async () => {
    const w = world();
    const pause = await w.call(code('*4591'));
    expect(pause.vars).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', AGENTSTATUS: 'PAUSED', AGENTGATE_PAUSED_QUEUES: '8008,8009' });
    expect(pause.heard).toEqual(['dictate/pause', 'activated']);
    expect((await mine()).map((m) => m.paused)).toEqual([true, true]);
    const unpause = await w.call(code('*4591'));
    expect(unpause.vars).toMatchObject({ AGENTGATE_RESULT: 'UNPAUSED', AGENTSTATUS: 'AVAILABLE', AGENTGATE_PAUSED_QUEUES: '' });
    expect(unpause.heard).toEqual(['dictate/pause', 'de-activated']);
    expect((await mine()).map((m) => m.paused)).toEqual([false, false]);
  });

  it('*4592 pauses for lunch: Asterisk carries the reason, and *4593 reports it', async () => {
    const w = world();
    const c = await w.call(code('*4592'));
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'PAUSED', AGENTGATE_PAUSE_REASON: 'lunch' });
    expect((await mine()).map((m) => [m.paused, m.reason])).toEqual([[true, 'lunch'], [true, 'lunch']]);
    const st = await w.call(code('*4593'));
    expect(st.vars).toMatchObject({ AGENTSTATUS: 'PAUSED', AGENTGATE_PAUSE_REASON: 'lunch', AGENTGATE_PAUSED_QUEUES: '8008,8009' });
    expect(st.heard).toEqual(['agent-loginok']);
  });

  it('*4590 at the bound desk logs the agent out without asking anything; *4593 then says "logged off"', async () => {
    const w = world();
    const c = await w.call(code('*4590'));
    expect(c.heard).toEqual(['agent-loggedoff']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: '7001', AGENTGATE_PHONE: DESK });
    expect(await mine()).toEqual([]);
    expect(await w.ami.getGlobal(`DEVICE_STATE(Custom:QUEUE${DESK}*8008)`)).toBe('NOT_INUSE');
    const st = await w.call(code('*4593', ['7001#', '4821#']));
    expect(st.vars).toMatchObject({ AGENTSTATUS: 'LOGGEDOUT' });
    expect(st.heard.at(-1)).toBe('agent-loggedoff');
  });

  it('*4591 at a desk with no agent asks who it is; a logged-out agent hears "logged off", NOT_LOGGED_IN', async () => {
    const w = world();
    const c = await w.call(code('*4591', ['7001#', '4821#']));
    expect(c.heard).toEqual(['agent-user', 'agent-pass', 'agent-loggedoff']);
    expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'NOT_LOGGED_IN' });
  });

  // Was a defect (issue 12): *4593 checked only AGISTATUS; after an ERROR
  // AGENTSTATUS is ERROR, not LOGGEDOUT, so it says "logged in" to an agent
  // whose state nobody knows.
  it('*4593 when the service cannot reach Asterisk: no "logged in" after the error, the failure branch instead', async () => {
    const w = world();
    await w.call(code('*4590', ['7001#', '4821#']));
    const cut = await w.cutServiceAmi();
    try {
      const c = await w.call(code('*4593'));
      expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'ERROR', AGENTSTATUS: 'ERROR' });
      expect(c.heard).toEqual(['an-error-has-occurred']);
      expect(c.contexts).toContain('agentgate-failed');
    } finally {
      await cut.restore();
    }
  });
});
