// Queue lists written in the dialplan: [agentgate-toggle-multi] behind a
// Custom Destination that sets AGENTGATE_QUEUELIST=8008,8009, and the README's
// queue=8008,8009.
import { describe, expect, it } from 'vitest';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const OLGA = '79113334455';
const mobile = (n: string) => `Local/${n}@outbound-allroutes/n`;

describe.skipIf(asteriskMissing)('[agentgate-toggle-multi] and queue lists written in the dialplan', () => {
  const world = useWorld({
    setup: (w) => admin(w, { args: ['allow', 'add', '8008', OLGA] }, { args: ['allow', 'add', '8009', OLGA] },
      { args: ['allow', 'add', '8008', '1001'] }, { args: ['allow', 'add', '8009', '1001'] }),
  });

  // Was a defect (issue 12): Asterisk's AGI() splits its argument at commas,
  // so `queue=8008,8009` reaches the service as queue=8008 plus agi_arg_1=8009;
  // only 8008 was joined and LOGGEDIN reported.
  it('a Custom Destination with AGENTGATE_QUEUELIST=8008,8009 toggles the mobile into both queues', async () => {
    const w = world();
    const c = await w.call({ context: 'agtest-ivr', exten: 'multi', from: OLGA, hangupOn: `digits:${OLGA}` });
    expect(c.contexts).toEqual(['agtest-ivr', 'agentgate-toggle-multi']);
    expect(c.vars.AGENTGATE_RESULT).toBe('LOGGEDIN');
    expect((await w.members()).filter((m) => m.interface === mobile(OLGA)).map((m) => m.queue).sort()).toEqual(['8008', '8009']);
  });

  // Same defect: the README's script table offers `queue=8008,8009`.
  it('AGI(agi://.../queue-login?queue=8008,8009) written in the dialplan logs into both queues, or refuses loudly', async () => {
    const w = world();
    const c = await w.call({ context: 'agtest-scripts', exten: 'two-queues', from: '1001' });
    const queues = (await w.members()).filter((m) => m.interface === mobile('1001')).map((m) => m.queue).sort();
    // Either both, or nothing and a failure the dialplan can see: never a part.
    if (c.vars.AGENTGATE_RESULT === 'LOGGEDIN') expect(queues).toEqual(['8008', '8009']);
    else expect({ result: c.vars.AGENTGATE_RESULT, queues }).toEqual({ result: expect.stringMatching(/^(REFUSED|ERROR)$/), queues: [] });
  });
});
