// Lamp names, lamp states, and what the keeper sends.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FREEPBX_BLF_TEMPLATE, loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/log.ts';
import { Lamps, lampName, lampPattern, lampStates, type LampTarget } from '../../lib/sync/blf.ts';
import { deviceOf } from '../../lib/asterisk/interfaces.ts';

const t = (queue: string, iface: string, inQueue: boolean, paused = false, subject = 's'): LampTarget => ({ queue, interface: iface, subject, in: inQueue, paused });

describe('lamp names', () => {
  it("FreePBX's Custom:QUEUE<dev>*<queue>, <dev> the mobile number or the desk phone", () => {
    expect(lampName(FREEPBX_BLF_TEMPLATE, t('8008', 'Local/79112223344@outbound-allroutes/n', true))).toBe('Custom:QUEUE79112223344*8008');
    expect(lampName(FREEPBX_BLF_TEMPLATE, t('8009', 'PJSIP/1001', true))).toBe('Custom:QUEUE1001*8009');
  });

  it('a template of our own, with the agent id', () => {
    expect(lampName('Custom:AGENT{subject}_{queue}', t('8008', 'PJSIP/1001', true, false, '7001'))).toBe('Custom:AGENT7001_8008');
  });

  it('no lamp for a member whose name would break DEVICE_STATE(...)', () => {
    expect(deviceOf('Local/1(2)@ctx/n')).toBeUndefined();
    expect(lampName(FREEPBX_BLF_TEMPLATE, t('sales,x', 'PJSIP/1001', true))).toBeUndefined();
    expect(lampName('Custom:A{subject}*{queue}', t('8008', 'PJSIP/1001', true, false, 'PJSIP/1001'))).toBeUndefined();
  });

  it('BLF_SCHEME: freepbx by default, off, or a checked template', () => {
    expect(loadConfig({}).sync).toEqual({ missing: 'restore', blfTemplate: FREEPBX_BLF_TEMPLATE, blfPausedState: 'ONHOLD' });
    expect(loadConfig({ BLF_SCHEME: 'off' }).sync.blfTemplate).toBeNull();
    expect(loadConfig({ BLF_SCHEME: 'Custom:Q{dev}_{queue}' }).sync.blfTemplate).toBe('Custom:Q{dev}_{queue}');
    expect(() => loadConfig({ BLF_SCHEME: 'Custom:Q{dev}' })).toThrow(/BLF_SCHEME: a template needs \{queue\}/);
    expect(() => loadConfig({ BLF_SCHEME: 'Custom:Q({dev})*{queue}' })).toThrow(/BLF_SCHEME/);
    expect(() => loadConfig({ BLF_SCHEME: 'Custom:{dev}{queue}{who}' })).toThrow(/BLF_SCHEME/);
    expect(() => loadConfig({ BLF_SCHEME: 'SIP/{dev}{queue}' })).toThrow(/BLF_SCHEME/);
    expect(() => loadConfig({ BLF_PAUSED_STATE: 'RINGING' })).toThrow(/BLF_PAUSED_STATE: must be one of ONHOLD, BUSY, INUSE/);
    expect(loadConfig({ BLF_PAUSED_STATE: 'busy' }).sync.blfPausedState).toBe('BUSY');
    expect(() => loadConfig({ RESYNC_POLICY: 'remove' })).toThrow(/RESYNC_POLICY/);
    expect(loadConfig({ RESYNC_POLICY: 'forget' }).sync.missing).toBe('forget');
  });
});

describe('lamps among the hints', () => {
  it('the template as a pattern: its lamps and no others, whatever their case', () => {
    const freepbx = lampPattern(FREEPBX_BLF_TEMPLATE)!;
    expect(['Custom:QUEUE1001*8008', 'Custom:QUEUE79112223344*support', 'custom:queue1001*8008'].filter((d) => freepbx.test(d))).toHaveLength(3);
    expect(['Custom:DND1001', 'PJSIP/1001', 'Custom:QUEUE1001', 'Custom:QUEUE*8008', 'Custom:QUEUE1001*8008*x', 'xCustom:QUEUE1001*8008'].filter((d) => freepbx.test(d))).toEqual([]);
    const own = lampPattern('Custom:AG{subject}_{queue}')!;
    expect(own.test('Custom:AG7001_8008')).toBe(true);
    expect(own.test('Custom:AGx7001')).toBe(false);
  });

  it('none for a template with no name of its own before its placeholders: it would take FreePBX\'s DND and day/night lamps for its own', () => {
    expect(lampPattern('Custom:{dev}{queue}')).toBeUndefined();
    expect(lampPattern('Custom:{subject}_{queue}')).toBeUndefined();
  });
});

describe('lamp states', () => {
  it('INUSE logged in, the paused state while paused, NOT_INUSE logged out; a shared lamp shows the strongest', () => {
    const states = lampStates([
      t('8008', 'Local/1001@a/n', true),
      t('8009', 'Local/1002@a/n', true, true),
      t('8010', 'Local/1003@a/n', false),
      t('8011', 'Local/1004@a/n', false),
      t('8011', 'PJSIP/1004', true, true),
    ], FREEPBX_BLF_TEMPLATE, 'ONHOLD');
    expect(Object.fromEntries(states)).toEqual({
      'Custom:QUEUE1001*8008': 'INUSE',
      'Custom:QUEUE1002*8009': 'ONHOLD',
      'Custom:QUEUE1003*8010': 'NOT_INUSE',
      'Custom:QUEUE1004*8011': 'ONHOLD',
    });
  });
});

describe('the lamp keeper', () => {
  function keeper(fail = () => false, retry = { minMs: 60_000, maxMs: 60_000 }) {
    const sent: string[] = [];
    let attempts = 0;
    const lamps = new Lamps({
      setvar: async (v, value) => {
        attempts += 1;
        if (fail()) throw new Error('AMI not connected');
        sent.push(`${v}=${value}`);
      },
      template: FREEPBX_BLF_TEMPLATE,
      pausedState: 'ONHOLD',
      log: silentLogger,
      retry,
    });
    return { sent, lamps, attempts: () => attempts };
  }

  it('sends only what changed on a live change', async () => {
    const { sent, lamps } = keeper();
    await lamps.show([t('8008', 'PJSIP/1001', true)]);
    await lamps.show([t('8008', 'PJSIP/1001', true)]);
    await lamps.show([t('8008', 'PJSIP/1001', true, true)]);
    expect(sent).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=INUSE', 'DEVICE_STATE(Custom:QUEUE1001*8008)=ONHOLD']);
  });

  it('a rebuild sends every lamp again and turns off those it lit that no member has any more', async () => {
    const { sent, lamps } = keeper();
    await lamps.show([t('8008', 'PJSIP/1001', true), t('8009', 'PJSIP/1001', true)]);
    sent.length = 0;
    await lamps.rebuild([t('8008', 'PJSIP/1001', true)]);
    expect(sent.sort()).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=INUSE', 'DEVICE_STATE(Custom:QUEUE1001*8009)=NOT_INUSE']);
  });

  it('a rebuild turns off a lamp of its template a hint shows lit with no member behind it (lit by a process killed before its lamp)', async () => {
    const { sent, lamps } = keeper();
    const hint = (device: string, status: number) => ({ hint: device, status });
    await lamps.rebuild([t('8008', 'PJSIP/1001', true)], {
      hints: [
        hint('Custom:QUEUE1001*8008', 1), // lit, and a member: stays lit (sent as INUSE anyway)
        hint('Custom:QUEUE1002*8008', 1), // in use: no member
        hint('Custom:QUEUE1003*8008', 16), // on hold: no member
        hint('Custom:QUEUE1004*8008&Custom:DND1004,CustomPresence:1004', 2), // busy, in a hint with another device and a presence
        hint('Custom:QUEUE1005*8008', 0), // idle already
        hint('Custom:QUEUE1006*8008', 4), // unavailable: not a state agentgate sets
        hint('Custom:QUEUE1007*8008', 1), // a static member's: not agentgate's
        hint('Custom:DND1008', 1), // not a lamp of the template
      ],
      leave: [{ queue: '8008', interface: 'PJSIP/1007', subject: '1007' }],
    });
    expect(sent.sort()).toEqual([
      'DEVICE_STATE(Custom:QUEUE1001*8008)=INUSE',
      'DEVICE_STATE(Custom:QUEUE1002*8008)=NOT_INUSE',
      'DEVICE_STATE(Custom:QUEUE1003*8008)=NOT_INUSE',
      'DEVICE_STATE(Custom:QUEUE1004*8008)=NOT_INUSE',
    ]);
  });

  it('turns off no hint\'s lamp when its template cannot tell its lamps from others', async () => {
    const sent: string[] = [];
    const lamps = new Lamps({ setvar: async (v, value) => void sent.push(`${v}=${value}`), template: 'Custom:{dev}{queue}', pausedState: 'ONHOLD', log: silentLogger });
    await lamps.rebuild([], { hints: [{ hint: 'PJSIP/1001&Custom:DND1001', status: 2 }, { hint: 'Custom:10018008', status: 1 }], leave: [] });
    expect(sent).toEqual([]);
  });

  it('remembers a lamp it could not set and sends it at the next rebuild', async () => {
    let down = true;
    const { sent, lamps } = keeper(() => down);
    await lamps.show([t('8008', 'PJSIP/1001', false)]);
    expect(sent).toEqual([]);
    down = false;
    await lamps.rebuild([]);
    expect(sent).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=NOT_INUSE']);
  });

  describe('retries (fake timers)', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('sends a lamp Asterisk did not set again on its own, without waiting for a re-sync, backing off while it fails', async () => {
      let down = true;
      const { sent, lamps, attempts } = keeper(() => down, { minMs: 2000, maxMs: 8000 });
      await lamps.show([t('8008', 'PJSIP/1001', true)]);
      expect(attempts()).toBe(1);
      await vi.advanceTimersByTimeAsync(1999);
      expect(attempts()).toBe(1);
      await vi.advanceTimersByTimeAsync(1); // 2 s
      expect(attempts()).toBe(2);
      await vi.advanceTimersByTimeAsync(4000); // then 4 s later
      expect(attempts()).toBe(3);
      await vi.advanceTimersByTimeAsync(7999); // then 8 s, the most
      expect(attempts()).toBe(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(attempts()).toBe(4);
      down = false;
      await vi.advanceTimersByTimeAsync(8000);
      expect(sent).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=INUSE']);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(attempts()).toBe(5); // set: nothing more to send
      lamps.stop();
    });

    it('does not send a failed lamp back to a state asked for before the one it shows now', async () => {
      let down = true;
      const { sent, lamps } = keeper(() => down, { minMs: 2000, maxMs: 2000 });
      await lamps.show([t('8008', 'PJSIP/1001', true)]); // fails
      down = false;
      await lamps.show([t('8008', 'PJSIP/1001', false)]); // logged out meanwhile: set
      await vi.advanceTimersByTimeAsync(10_000);
      expect(sent).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=NOT_INUSE']);
      lamps.stop();
    });

    it('a retry sent in batches leaves alone a lamp a live change set while an earlier batch waited', async () => {
      let down = true;
      const shown = new Map<string, string>(); // what Asterisk shows, in the order the Setvars arrive
      const answers: Array<() => void> = [];
      let slow = false;
      const lamps = new Lamps({
        setvar: async (v, value) => {
          if (down) throw new Error('timeout');
          shown.set(v, value);
          if (slow) await new Promise<void>((r) => answers.push(r));
        },
        template: FREEPBX_BLF_TEMPLATE,
        pausedState: 'ONHOLD',
        log: silentLogger,
        retry: { minMs: 1000, maxMs: 1000 },
      });
      await lamps.show(Array.from({ length: 25 }, (_, i) => t('8008', `PJSIP/${1000 + i}`, true))); // all 25 fail
      down = false;
      slow = true;
      await vi.advanceTimersByTimeAsync(1000); // the retry: its first 20 in flight, the other 5 not yet sent
      void lamps.show([t('8008', 'PJSIP/1024', false)]); // 1024 logs out meanwhile
      await vi.advanceTimersByTimeAsync(0);
      slow = false;
      for (const answer of answers.splice(0)) answer(); // the first batch answered: the second goes
      await vi.advanceTimersByTimeAsync(5000);
      for (const answer of answers.splice(0)) answer();
      await vi.advanceTimersByTimeAsync(5000);
      expect(shown.get('DEVICE_STATE(Custom:QUEUE1024*8008)')).toBe('NOT_INUSE');
      expect(shown.get('DEVICE_STATE(Custom:QUEUE1023*8008)')).toBe('INUSE');
      expect(shown.size).toBe(25);
      lamps.stop();
    });

    it('stop() ends the retries', async () => {
      const { lamps, attempts } = keeper(() => true, { minMs: 2000, maxMs: 2000 });
      await lamps.show([t('8008', 'PJSIP/1001', true)]);
      lamps.stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(attempts()).toBe(1);
    });
  });

  it('a live change is sent without waiting for another lamp Asterisk has not answered yet', async () => {
    const asked: string[] = [];
    const lamps = new Lamps({
      // Asterisk answers nothing: each Setvar stays in flight.
      setvar: (v, value) => {
        asked.push(`${v}=${value}`);
        return new Promise<void>(() => undefined);
      },
      template: FREEPBX_BLF_TEMPLATE,
      pausedState: 'ONHOLD',
      log: silentLogger,
    });
    void lamps.show([t('8008', 'PJSIP/1001', true)]);
    void lamps.show([t('8008', 'PJSIP/1002', true)]);
    void lamps.show([t('8008', 'PJSIP/1001', false)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(asked).toEqual(['DEVICE_STATE(Custom:QUEUE1001*8008)=INUSE', 'DEVICE_STATE(Custom:QUEUE1002*8008)=INUSE', 'DEVICE_STATE(Custom:QUEUE1001*8008)=NOT_INUSE']);
  });
});
