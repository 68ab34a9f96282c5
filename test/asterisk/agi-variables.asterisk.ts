// What a script tells the dialplan arrives exactly, in as few AGI round trips
// as Asterisk allows: plain values together in one EXEC MSet, anything MSet or
// AGIEXECFULL would change (quotes, commas in free text, `${...}`, brackets) in
// a SET VARIABLE of its own (lib/agi/mset.ts).
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const DESK = '1005';
const at = `Local/${DESK}@from-queue/n`;
const script = (agi: string, vars: Record<string, string> = {}) => ({ context: 'agtest-scripts', exten: 's', from: DESK, vars: { AGTEST_AGI: agi, ...vars } });
// Free text as a GUI or the Asterisk CLI may leave it in a pause reason.
const ODD_REASON = 'Lunch, back "soon" (2) ${EXTEN} $[1+1] [x] a\\b';

describe.skipIf(asteriskMissing)('channel variables a script sets', () => {
  const world = useWorld({
    setup: async (w) => {
      await admin(w, { args: ['agent', 'create', '7301', '--name', 'Olga Sidorova', '--queues', '8008,8009'], pin: '2580' });
      const c = await w.call({ ...script('agent-login?context=from-queue'), keys: ['7301#', '2580#'] });
      if (c.vars.AGENTGATE_RESULT !== 'LOGGEDIN') throw new Error(`agent not logged in: ${JSON.stringify(c.vars)}`);
    },
  });

  it('are set by one EXEC MSet when plain, a comma list and an empty value included', async () => {
    const c = await world().call(script('agent-status'));
    expect(c.vars).toMatchObject({ AGENTSTATUS: 'AVAILABLE', AGENTGATE_AGENT: '7301', AGENTGATE_PHONE: DESK, AGENTGATE_QUEUES: '8008,8009', AGENTGATE_PAUSE_REASON: '' });
    expect(c.agi.filter((cmd) => /^(EXEC "?MSet|SET VARIABLE)/.test(cmd))).toEqual([expect.stringMatching(/^EXEC "?MSet"? /)]);
  });

  it('a value MSet would change arrives exactly by SET VARIABLE, with AGIEXECFULL=yes on the channel too', async () => {
    const w = world();
    const r = await w.ami.action({ Action: 'QueuePause', Interface: at, Paused: 'true', Reason: ODD_REASON });
    expect(r.response.Response).toBe('Success');
    for (const vars of [{}, { AGIEXECFULL: 'yes' }] as Record<string, string>[]) {
      const c = await w.call(script('agent-status', vars));
      expect(c.vars).toMatchObject({ AGENTSTATUS: 'PAUSED', AGENTGATE_PAUSE_REASON: ODD_REASON, AGENTGATE_QUEUES: '8008,8009', AGENTGATE_PAUSED_QUEUES: '8008,8009' });
      expect(c.agi.filter((cmd) => cmd.startsWith('SET VARIABLE'))).toEqual([expect.stringMatching(/^SET VARIABLE "?AGENTGATE_PAUSE_REASON/)]);
    }
  });
});
