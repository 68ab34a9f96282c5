// Issue 14, PIN safety: after a wrong PIN the dialogue asks for the ID again, and
// an agent who keys the PIN there (or any digits that name no agent, at any
// agent-user prompt) must not find them in the logs, the audit trail (readable
// with any read token) or a Redis key name. Known agent ids may appear.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
const PIN = '48213';
const DESK = '1001';

let h: Harness;
let logLines: string[];
afterEach(() => h.stop());

async function start(env: Record<string, string> = {}): Promise<void> {
  logLines = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  h = await startHarness({ env: { MEMBER_CONTEXT: 'from-queue', PIN_MAX_FAILURES: '3', ...env }, logger });
  await createAgent(h.app.svc.store, { id: '7001', name: 'Ivan Petrov', pin: PIN, queues: [{ queue: '8008', penalty: 0 }] }, FAST);
}

/** Everything an operator, a read token or a Redis user can see: log lines, audit entries, every key name under the prefix. */
async function visible(): Promise<string> {
  const audit = (await readAudit(h.app.svc.store, { count: 1000 })).map((a) => JSON.stringify(a));
  const keys = await h.redis.redis.keys(`${h.redis.prefix}*`);
  return [...logLines, ...audit, ...keys].join('\n');
}

describe('keyed IDs that name no agent', () => {
  it('a PIN keyed at the ID prompt after a wrong PIN is never logged, audited or put in a key name; the known id still is', async () => {
    await start();
    const c = await callFastAgi(h.port, { script: 'agent-login', callerId: DESK, dtmf: ['7001', '1111', PIN, '2222', '7001', '3333'] });
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED' });
    const seen = await visible();
    expect(seen).toContain('7001'); // known ids are not secrets: the trail still names them
    expect(seen).toMatch(/unknown-[0-9a-f]{16}/); // the wrong entry is there, under its keyed hash
    expect(seen).not.toContain(PIN);
    const pinKeys = (await h.redis.redis.keys(`${h.redis.prefix}pinfail:agent:*`)).map((k) => k.slice(h.redis.prefix.length)).sort();
    expect(pinKeys).toHaveLength(2);
    expect(pinKeys[0]).toBe('pinfail:agent:7001');
    expect(pinKeys[1]).toMatch(/^pinfail:agent:unknown-[0-9a-f]{16}$/);
  });

  it('the same unknown digits are counted together under their hash and lock out like an agent id', async () => {
    await start({ PIN_MAX_FAILURES: '4' });
    const first = await callFastAgi(h.port, { script: 'agent-login', callerId: DESK, dtmf: ['55555', '1111', '55555', '2222', '55555', '3333'] });
    expect(first.variables.AGENTGATE_ERROR).toBe('BAD_PIN');
    // From another phone (its own caller counter is fresh): the 4th failure for these digits locks them.
    const second = await callFastAgi(h.port, { script: 'agent-login', callerId: '1002', dtmf: ['55555', '4444', '55555', '5555'] });
    expect(second.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'PIN_LOCKED_OUT' });
    const lockout = (await readAudit(h.app.svc.store)).find((a) => a.action === 'pin-lockout');
    expect(lockout?.subject).toMatch(/^unknown-[0-9a-f]{16}$/);
    expect(await visible()).not.toContain('55555');
  });

  it('agent-force-logout refuses keyed digits that name no agent (AGENT_NOT_FOUND) without logging, auditing or locking them', async () => {
    await start();
    const c = await callFastAgi(h.port, { script: 'agent-force-logout', callerId: '5000', dtmf: [PIN.split('').reverse().join('')] });
    expect(c.variables).toMatchObject({ AGENTGATE_RESULT: 'REFUSED', AGENTGATE_ERROR: 'AGENT_NOT_FOUND' });
    expect(await visible()).not.toContain(PIN.split('').reverse().join(''));
    expect(h.ami.actions.filter((a) => a.Action === 'QueueRemove')).toEqual([]);
  });
});
