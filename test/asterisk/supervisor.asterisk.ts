// Supervisors forcing an agent out: [agentgate-supervisor] of the shipped
// dialplan, behind Authenticate() with the supervisors' PIN file.
import { describe, expect, it } from 'vitest';
import { SUPERVISOR_PIN } from './support/fixture.ts';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

describe.skipIf(asteriskMissing)('[agentgate-supervisor]: forcing an agent out behind Authenticate()', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['agent', 'create', '7301', '--name', 'Pavel Night', '--queues', '8008,8009'], pin: '9753' }),
  });

  it('with the supervisors\' PIN and the agent ID, every member of the agent goes', async (ctx) => {
    const w = world();
    // The shipped context reads /etc/asterisk/agentgate-supervisor.pin; the harness binds its own
    // etc dir there in Asterisk's private mount namespace (see support/asterisk.ts).
    if (!w.ast.supervisorPinFile) ctx.skip('cannot give Asterisk its own /etc/asterisk here (no mount namespace), so Authenticate() cannot pass');
    await w.call({ context: 'agentgate-agent', exten: 's', from: '1004', keys: ['7301#', '9753#'] });
    expect((await w.members()).filter((m) => m.name === 'Pavel Night')).toHaveLength(2);
    const c = await w.call({ context: 'agtest-ivr', exten: 'supervisor', from: '1009', keys: [`${SUPERVISOR_PIN}#`, '7301#'] });
    expect(c.contexts).toEqual(['agtest-ivr', 'agentgate-supervisor']);
    expect(c.heard).toEqual(['agent-pass', 'agent-user', 'agent-loggedoff']);
    expect(c.vars).toMatchObject({ AGISTATUS: 'SUCCESS', AGENTGATE_RESULT: 'LOGGEDOUT', AGENTGATE_AGENT: '7301', AGENTGATE_REMOVED: '2' });
    expect((await w.members()).filter((m) => m.name === 'Pavel Night')).toEqual([]);
  });

  it('with a wrong supervisors\' PIN the service is never called', async () => {
    const w = world();
    await w.call({ context: 'agentgate-agent', exten: 's', from: '1004', keys: ['7301#', '9753#'] });
    // Authenticate() reads its three tries itself: all keyed at its first prompt.
    const c = await w.call({ context: 'agentgate-supervisor', exten: 's', from: '1009', keys: ['0000#0000#0000#'] });
    expect(c.scripts).toEqual([]);
    expect(c.steps.some((s) => s.includes('Authenticate('))).toBe(true);
    expect((await w.members()).filter((m) => m.name === 'Pavel Night')).toHaveLength(2);
  });
});
