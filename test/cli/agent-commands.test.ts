// `agentgate agent ...` as an administrator runs it: a real process, PINs
// from stdin or the environment and never from argv, a real Redis and the AMI double.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, getAgent, verifyAgentPin } from '../../lib/agents/accounts.ts';
import { bindAgent, getAgentBinding, unbindAgent } from '../../lib/agents/bindings.ts';
import { listMemberRecords, recordChange } from '../../lib/members/records.ts';
import { beginIntent, listIntents } from '../../lib/store/intents.ts';
import { makeKeys } from '../../lib/store/keys.ts';
import type { Store } from '../../lib/store/redis.ts';
import { startAmiDouble, type AmiDouble } from '../doubles/ami-asterisk.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const CLI = path.resolve(import.meta.dirname, '../../lib/cli/main.ts');

let t: TestRedis;
let ami: AmiDouble;
let store: Store;
beforeEach(async () => {
  t = await testRedis();
  store = { redis: t.redis, keys: makeKeys(t.prefix), auditMaxLen: 100 };
  ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: ['8008', '8009'] });
});
afterEach(async () => {
  await ami.stop();
  await t.cleanup();
});

function cli(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, REDIS_URL: t.url, REDIS_PREFIX: t.prefix, AMI_PORT: String(ami.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret', USER: 'alice', SUDO_USER: '', AGENTGATE_PIN: '', ...o.env };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(o.stdin ?? '');
  });
}

describe('agentgate CLI: agents', () => {
  it('creates an agent with the PIN from stdin, changes it from AGENTGATE_PIN, and refuses one on the command line', async () => {
    const created = await cli(['agent', 'create', '7001', '--name', 'Ivan Petrov', '--queues', '8008:2,8009', '--mobile', '+7 911 222-33-44'], { stdin: '86420\n' });
    expect(created).toMatchObject({ code: 0, stdout: 'created agent 7001 (Ivan Petrov) in 8008 (penalty 2), 8009 (penalty 0), mobile 79112223344\n' });
    expect(await verifyAgentPin(store, '7001', '86420')).toMatchObject({ id: '7001', mobile: '79112223344' });

    expect(await cli(['agent', 'pin', '7001'], { env: { AGENTGATE_PIN: '97531' } })).toMatchObject({ code: 0, stdout: 'agent 7001: PIN changed\n' });
    expect(await verifyAgentPin(store, '7001', '97531')).not.toBeNull();

    // No stdin and no AGENTGATE_PIN: a usage error, and the old PIN stands.
    const none = await cli(['agent', 'pin', '7001']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no PIN: set AGENTGATE_PIN or write it to stdin/);
    expect(none.stderr).toMatch(/agent pin <id> {2,}new PIN from \$AGENTGATE_PIN or stdin/);
    expect(await verifyAgentPin(store, '7001', '97531')).not.toBeNull();
    // A PIN on the command line is refused, not silently ignored.
    const argv = await cli(['agent', 'pin', '7001', '11111']);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toMatch(/never taken from the command line/);
    expect(await verifyAgentPin(store, '7001', '97531')).not.toBeNull();
    expect((await getAgent(store, '7001'))?.queues).toEqual([{ queue: '8008', penalty: 2 }, { queue: '8009', penalty: 0 }]);
  });

  it('agent logout first rolls back what an unfinished change of the agent left, as the service does: a logout killed after its unbind', async () => {
    const desk = 'Local/1001@from-queue/n';
    await createAgent(store, { id: '7001', name: 'Ivan Petrov', pin: '86420', queues: [{ queue: '8008', penalty: 2 }] }, { pinHash: { ln: 4, r: 1, p: 1 } });
    // Logged in at 1001 (recorded), then a logout killed after its unbind: member out, binding gone, records left.
    await recordChange(store, { put: [{ queue: '8008', interface: desk, subject: '7001', kind: 'agent', penalty: 2, name: 'Ivan Petrov', since: 1, source: 'agentgate', paused: false, reason: '' }] });
    await beginIntent(store, { subject: '7001', adds: [], removes: [{ queue: '8008', interface: desk, member: { penalty: 2, name: 'Ivan Petrov', paused: false, reason: '' } }], binding: { agentId: '7001', was: { phone: '1001', interface: desk, since: 1 }, to: null } });
    await bindAgent(store, { agentId: '7001', phone: '1001', interface: desk, since: 1 });
    await unbindAgent(store, '7001', { phone: '1001' });

    // The rollback puts the agent back at 1001, and the logout then takes it out: nothing left anywhere.
    const out = await cli(['agent', 'logout', '7001']);
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toMatch(/1001/);
    expect(await listIntents(store)).toEqual([]);
    expect(await getAgentBinding(store, '7001')).toBeNull();
    expect(await listMemberRecords(store)).toEqual([]);
    expect(ami.members('8008')).toEqual([]);
  });
});
