// ExtensionStateList, as a real Asterisk 22 answered it to the shipped user
// (write = agent,call) with FreePBX's queue-key hints: one ExtensionStatus per
// hint (pattern hints left out), Status the extension state of the hint's
// devices (INUSE 1 InUse, BUSY 2 Busy, ONHOLD 16 Hold, NOT_INUSE or never set
// 0 Idle), then ExtensionStateListComplete. test/asterisk/desk-codes checks
// the real one; the re-sync reads it to find lamps left lit.
import { describe, expect, it } from 'vitest';
import { AmiPermissionDeniedError } from '../../lib/ami/errors.ts';
import { connected, double } from './setup.ts';

const hint = (dev: string) => ({ exten: `*45${dev}*8008`, context: 'ext-queues', hint: `Custom:QUEUE${dev}*8008` });

describe('AMI double: ExtensionStateList', () => {
  it('lists each hint with the state of its device, as Asterisk 22 does', async () => {
    const ami = await double({ hints: [hint('1001'), hint('1002'), hint('1003'), hint('1004'), { exten: '_*45X.', context: 'ext-queues', hint: 'Custom:QUEUE${EXTEN}' }] });
    const c = await connected(ami, { actionTimeoutMs: 2000 });
    await c.setvar('DEVICE_STATE(Custom:QUEUE1001*8008)', 'INUSE');
    await c.setvar('DEVICE_STATE(Custom:QUEUE1002*8008)', 'ONHOLD');
    await c.setvar('DEVICE_STATE(Custom:QUEUE1003*8008)', 'BUSY');
    const res = await c.action({ Action: 'ExtensionStateList' });
    expect(res.headers).toMatchObject({ response: 'Success', eventlist: 'start', message: 'Extension Statuses will follow' });
    expect(res.events.map((e) => e.headers)).toEqual([
      { event: 'ExtensionStatus', actionid: res.headers.actionid, exten: '*451001*8008', context: 'ext-queues', hint: 'Custom:QUEUE1001*8008', status: '1', statustext: 'InUse' },
      { event: 'ExtensionStatus', actionid: res.headers.actionid, exten: '*451002*8008', context: 'ext-queues', hint: 'Custom:QUEUE1002*8008', status: '16', statustext: 'Hold' },
      { event: 'ExtensionStatus', actionid: res.headers.actionid, exten: '*451003*8008', context: 'ext-queues', hint: 'Custom:QUEUE1003*8008', status: '2', statustext: 'Busy' },
      { event: 'ExtensionStatus', actionid: res.headers.actionid, exten: '*451004*8008', context: 'ext-queues', hint: 'Custom:QUEUE1004*8008', status: '0', statustext: 'Idle' },
    ]);
    expect(await c.extensionStates()).toContainEqual({ exten: '*451002*8008', context: 'ext-queues', hint: 'Custom:QUEUE1002*8008', status: 16 });
  });

  it('is refused to a user that writes neither call nor reporting', async () => {
    const ami = await double({ hints: [hint('1001')], rights: { write: ['agent'] } });
    const c = await connected(ami, { actionTimeoutMs: 2000 });
    await expect(c.extensionStates()).rejects.toBeInstanceOf(AmiPermissionDeniedError);
  });
});
