// Asterisk finds queues without case: `Sales` in queues.conf is `sales` in a
// dialplan, an allowlist or the CLI. agentgate keeps one name for all of them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMemberRecords } from '../../lib/members/records.ts';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const MOBILE = '79112223344';
const IFACE = `Local/${MOBILE}@outbound-allroutes/n`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ queues: ['Sales'], env: { TOGGLE_RATE_LIMIT: '1000' } });
  await allowNumber(h.app.svc.store, 'SALES', { number: MOBILE, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
});
afterEach(() => h.stop());

describe('queue names in any case', () => {
  it('log in as sales, see it as Sales in Asterisk, log out as SaLeS: the member really goes', async () => {
    const login = await callFastAgi(h.port, { script: 'queue-login?queue=sales', callerId: MOBILE });
    expect(login.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN', AGENTGATE_QUEUES: 'sales' });
    expect(h.ami.members('Sales')).toMatchObject([{ interface: IFACE, penalty: 2 }]);
    expect(await listMemberRecords(h.app.svc.store, 'Sales')).toMatchObject([{ queue: 'sales', interface: IFACE }]);

    const status = await callFastAgi(h.port, { script: 'queue-status?queue=SALES', callerId: MOBILE });
    expect(status.variables).toMatchObject({ QUEUESTAT: 'LOGGEDIN', AGENTGATE_QUEUES: 'sales' });

    // Already in: a login in another case adds nothing.
    const again = await callFastAgi(h.port, { script: 'queue-login?queue=Sales', callerId: MOBILE });
    expect(again.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN' });
    expect(h.ami.actions.filter((a) => a.Action === 'QueueAdd')).toHaveLength(1);

    const logout = await callFastAgi(h.port, { script: 'queue-logout?queue=SaLeS', callerId: MOBILE });
    expect(logout.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDOUT' });
    expect(h.ami.members('Sales')).toEqual([]);
    expect(await listMemberRecords(h.app.svc.store)).toEqual([]);
  });

  it('a toggle in another case than the allowlist is authorized', async () => {
    const toggle = await callFastAgi(h.port, { script: 'queue-toggle?queue=Sales', callerId: MOBILE });
    expect(toggle.variables).toMatchObject({ AGENTGATE_RESULT: 'LOGGEDIN' });
    expect(h.ami.members('Sales')).toHaveLength(1);
  });
});
