// agentgate's own changes are not reconciled a second time when Asterisk
// echoes them as member events, yet their lamps are set; anyone else's change
// on the same member, even right after, is still tracked.
import { afterEach, describe, expect, it } from 'vitest';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { listMemberRecords } from '../../lib/members/records.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const IVAN = '79112223344';
const IVAN_IF = `Local/${IVAN}@outbound-allroutes/n`;
const LAMP = `Custom:QUEUE${IVAN}*8008`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function harness(): Promise<Harness> {
  const h = await startHarness({ env: { TOGGLE_RATE_LIMIT: '1000' } });
  cleanups.push(() => h.stop());
  await waitFor(() => h.app.sync.status().lastResyncAt !== undefined, 'first re-sync');
  await h.app.sync.idle();
  await allowNumber(h.app.svc.store, '8008', { number: IVAN, penalty: 2, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
  return h;
}

const toggle = (h: Harness, queues = '8008') => callFastAgi(h.port, { script: `queue-toggle?queue=${queues}&prompts=no`, callerId: IVAN });
/** QueueStatus actions that asked about Ivan's interface. */
const statusAsks = (h: Harness) => h.ami.actions.filter((a) => a.Action === 'QueueStatus' && a.Member === IVAN_IF).length;

describe('own changes are not reconciled twice', () => {
  it('a toggle in and out asks Asterisk once each (the toggle itself), lights and darkens the lamp, audits once', async () => {
    const h = await harness();
    const asked = statusAsks(h);
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    await waitFor(() => h.ami.deviceState(LAMP) === 'INUSE', 'lamp lit');
    await h.app.sync.idle();
    expect(statusAsks(h) - asked).toBe(1);

    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDOUT');
    await waitFor(() => h.ami.deviceState(LAMP) === 'NOT_INUSE', 'lamp dark');
    await h.app.sync.idle();
    expect(statusAsks(h) - asked).toBe(2);

    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'logout fastagi']);
    expect(await listMemberRecords(h.app.svc.store)).toEqual([]);
  });

  it('a GUI pause right after an own login on the same interface is tracked: recorded, audited, lamp paused', async () => {
    const h = await harness();
    const asked = statusAsks(h);
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    h.ami.pauseMember('8008', IVAN_IF, true, 'gui'); // before the tracker has settled the login's event
    await waitFor(async () => (await listMemberRecords(h.app.svc.store, '8008')).some((r) => r.paused && r.reason === 'gui'), 'pause tracked');
    await h.app.sync.idle();
    expect(statusAsks(h) - asked).toBe(2); // the toggle's, and one reconcile for the GUI's pause
    expect(h.ami.deviceState(LAMP)).toBe('ONHOLD');
    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'pause asterisk']);
  });

  it('a GUI removal right after an own login is tracked: record dropped, lamp dark', async () => {
    const h = await harness();
    expect((await toggle(h)).variables.QUEUESTAT).toBe('LOGGEDIN');
    h.ami.removeMember('8008', IVAN_IF);
    await waitFor(async () => (await listMemberRecords(h.app.svc.store)).length === 0, 'removal tracked');
    await h.app.sync.idle();
    expect(h.ami.deviceState(LAMP)).toBe('NOT_INUSE');
    const audit = (await readAudit(h.app.svc.store)).filter((a) => a.subject === IVAN && a.action !== 'allow');
    expect(audit.map((a) => `${a.action} ${a.source}`).sort()).toEqual(['login fastagi', 'logout asterisk']);
  });
});
