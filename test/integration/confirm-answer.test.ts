// Confirm on answer per allowlist entry (issue 13): with CONFIRM_ANSWER on, a
// number listed with confirm off is added straight through its context, the
// others through the confirm context; a toggle finds either form.
import { afterEach, describe, expect, it } from 'vitest';
import { listMemberRecords } from '../../lib/members/records.ts';
import { allowNumber, listAllowed } from '../../lib/queues/allowlist.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const PERSON = '79112223344';
const DESKLIKE = '79113334455';
const ADMIN = { source: 'cli' as const, by: 'test' };

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const toggle = (number: string) => callFastAgi(h!.port, { script: 'queue-toggle?queue=8008&prompts=no', callerId: number });

describe('confirm on answer per allowlist entry', () => {
  it('a number listed with confirm off joins without the confirm context, the others through it; both toggle out', async () => {
    h = await startHarness({ env: { CONFIRM_ANSWER: 'on', TOGGLE_RATE_LIMIT: '1000' } });
    await waitFor(() => h!.app.live.synced, 'live model rebuilt');
    await allowNumber(h.app.svc.store, '8008', { number: PERSON, penalty: 1, name: 'Person' }, ADMIN);
    await allowNumber(h.app.svc.store, '8008', { number: DESKLIKE, penalty: 1, name: 'Desk line', confirm: false }, ADMIN);
    expect((await listAllowed(h.app.svc.store, '8008')).find((e) => e.number === DESKLIKE)).toMatchObject({ confirm: false });

    expect((await toggle(PERSON)).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect((await toggle(DESKLIKE)).variables.QUEUESTAT).toBe('LOGGEDIN');
    expect(h.ami.members('8008').map((m) => m.interface).sort()).toEqual([
      `Local/${PERSON}*outbound-allroutes@agentgate-confirm/n`,
      `Local/${DESKLIKE}@outbound-allroutes/n`,
    ].sort());
    await h.app.sync.idle();
    expect((await listMemberRecords(h.app.svc.store, '8008')).map((r) => r.interface).sort()).toEqual(h.ami.members('8008').map((m) => m.interface).sort());

    expect((await toggle(DESKLIKE)).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect((await toggle(PERSON)).variables.QUEUESTAT).toBe('LOGGEDOUT');
    expect(h.ami.members('8008')).toEqual([]);
    await h.app.sync.idle();
    expect(await listMemberRecords(h.app.svc.store, '8008')).toEqual([]);
  });
});
