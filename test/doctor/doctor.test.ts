// agentgate doctor against the AMI double (modelling the AMI user's rights,
// the dialplan ShowDialPlan lists, astdb and globals), a private Redis whose
// persistence the tests switch, a queues.conf on disk and a listener standing
// in for the service's FastAGI port.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { formatCheck, type Check } from '../../lib/doctor/report.ts';
import { runDoctor } from '../../lib/doctor/run.ts';
import { createLogger } from '../../lib/log.ts';
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';
import { startPrivateRedis, type PrivateRedis } from './private-redis.ts';

const CLI = path.resolve(import.meta.dirname, '../../lib/cli/main.ts');
const PREFIX = 'agentgate-doctor-test:';

// FreePBX's shape: outbound routes included into outbound-allroutes, desk extensions in ext-local.
const DIALPLAN: NonNullable<AmiDoubleOptions['dialplan']> = {
  'outbound-allroutes': { extensions: ['foo'], includes: ['outrt-1'] },
  'outrt-1': { extensions: ['_7XXXXXXXXXX'] },
  'ext-local': { extensions: ['_10XX'] },
  'from-queue': { extensions: ['_.'] },
  // The shipped confirm-on-answer context (dialplan/extensions_custom.conf).
  'agentgate-confirm': { extensions: ['_X.'] },
};

const GOOD_QUEUES_CONF = `[general]
persistentmembers=yes
#include queues_additional.conf
`;
const queuesAdditional = (ringinuse: string, timeout: number) => `; FreePBX generated
[8008]
strategy=ringall
ringinuse=${ringinuse}
timeout=${timeout}

[8009]
strategy=rrmemory
ringinuse=no
timeout=15
`;

let redis: PrivateRedis;
let fastagi: net.Server;
let fastagiPort: number;
let etc: string;
let ami: AmiDouble | undefined;

beforeAll(async () => {
  redis = await startPrivateRedis();
  fastagi = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => fastagi.listen(0, '127.0.0.1', r));
  fastagiPort = (fastagi.address() as net.AddressInfo).port;
  etc = mkdtempSync(path.join(os.tmpdir(), 'agentgate-doctor-etc-'));
}, 20_000);

afterAll(async () => {
  await redis.stop();
  await new Promise((r) => fastagi.close(r));
  rmSync(etc, { recursive: true, force: true });
});

beforeEach(async () => {
  await redis.redis.flushall();
  await redis.redis.config('SET', 'appendonly', 'yes');
  writeFileSync(path.join(etc, 'queues.conf'), GOOD_QUEUES_CONF);
  writeFileSync(path.join(etc, 'queues_additional.conf'), queuesAdditional('no', 15));
  // Two queues with lists: two mobiles, one desk extension.
  await redis.redis.hset(`${PREFIX}allow:8008`, '79112223344', JSON.stringify({ penalty: 1, name: 'Ivan Petrov' }), '1001', JSON.stringify({ penalty: 0, name: 'Desk 1001' }));
  await redis.redis.hset(`${PREFIX}allow:8009`, '79115556677', JSON.stringify({ penalty: 0, name: 'Anna' }));
  await redis.redis.sadd(`${PREFIX}allow-queues`, '8008', '8009');
});

afterEach(async () => {
  await ami?.stop();
  ami = undefined;
});

async function pbx(o: Partial<AmiDoubleOptions> = {}): Promise<AmiDouble> {
  ami = await startAmiDouble({
    username: 'agentgate',
    secret: 's3cret',
    queues: ['8008', { name: '8009', strategy: 'rrmemory' }],
    // The shipped user plus reporting, as doctor advises.
    rights: { write: ['agent', 'call', 'reporting'], read: ['agent', 'system'] },
    dialplan: DIALPLAN,
    globals: { AGENTGATE: `127.0.0.1:${fastagiPort}` },
    ...o,
  });
  return ami;
}

function env(a: AmiDouble, more: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, AMI_PORT: String(a.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret',
    FASTAGI_PORT: String(fastagiPort), AMI_ACTION_TIMEOUT_MS: '2000', ...more,
  };
}

async function doctor(a: AmiDouble, more: Record<string, string> = {}): Promise<Check[]> {
  return runDoctor(loadConfig(env(a, more)), createLogger('silent'), { asteriskEtc: etc });
}

const byId = (checks: Check[], id: string): Check => {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in:\n${checks.map(formatCheck).join('\n')}`);
  return c;
};
const lines = (checks: Check[]) => checks.map(formatCheck).join('\n');

describe('agentgate doctor: a correct set-up', () => {
  it('passes every check, each ✓, and changes nothing in Asterisk or Redis', async () => {
    const a = await pbx();
    const redisBefore = await redis.redis.keys('*');
    const dbBefore = a.db();
    const checks = await doctor(a);
    expect(checks.filter((c) => c.mark !== 'ok'), lines(checks)).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      'redis', 'redis-persistence', 'redis-keys', 'ami', 'ami-login', 'ami-events', 'ami-rights', 'ami-excess',
      'queue:8008', 'queue:8009', 'persistentmembers', 'member-context', 'member-routes', 'confirm-context', 'dialplan-global', 'fastagi', 'fastagi-reach',
    ]);
    expect(byId(checks, 'queue:8009').detail).toBe('queue 8009 (as Asterisk names it: 8009): strategy rrmemory, ringinuse no, timeout 15 s');
    expect(byId(checks, 'member-routes').detail).toBe('allowlisted numbers: 2 of 3 route in outbound-allroutes; 1 desk extensions found in ext-local (they log in with context=from-queue)');
    expect(byId(checks, 'fastagi-reach').detail).toBe('FastAGI: Asterisk connects from 127.0.0.1, which FASTAGI_ALLOW admits');
    // Read-only: no member, global, astdb entry or filter appeared; Redis holds what it held.
    expect(a.members()).toEqual([]);
    expect(a.db()).toEqual(dbBefore);
    expect((await redis.redis.keys('*')).sort()).toEqual(redisBefore.sort());
    const sent = new Set(a.actions.map((x) => x.Action));
    for (const changing of ['QueueAdd', 'QueueRemove', 'DBPut', 'DBDel', 'UserEvent', 'QueueLog']) expect(sent.has(changing), changing).toBe(false);
    expect(a.actions.filter((x) => x.Action === 'Setvar').every((x) => x.Channel)).toBe(true);
  });

  it('prints one line per check and exits 0; --json gives the same checks for monitoring', async () => {
    const a = await pbx();
    const run = (...args: string[]) => new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'doctor', '--asterisk-etc', etc, ...args], { env: { ...process.env, ...env(a) }, timeout: 20_000 }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout });
      });
    });
    const text = await run();
    expect(text.code).toBe(0);
    const out = text.stdout.trim().split('\n');
    expect(out).toHaveLength(18);
    expect(out.slice(0, -1).every((l) => l.startsWith('✓ '))).toBe(true);
    expect(out).toContain('✓ AMI login as agentgate: accepted');
    expect(out.at(-1)).toBe('0 faults, 0 warnings, 17 fine');
    const json = await run('--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; faults: number; checks: Check[] };
    expect(report).toMatchObject({ ok: true, faults: 0, warnings: 0 });
    expect(report.checks).toHaveLength(17);
  }, 30_000);
});

describe('agentgate doctor: faults, each named', () => {
  it('a wrong secret is a refused login, exit 1', async () => {
    const a = await pbx();
    const checks = await doctor(a, { AMI_SECRET: 'wrong' });
    expect(byId(checks, 'ami-login')).toMatchObject({ mark: 'fail' });
    expect(formatCheck(byId(checks, 'ami-login'))).toMatch(/^✗ AMI login as agentgate: refused \(Authentication failed: wrong secret.*→ set AMI_SECRET to the secret of \[agentgate\]/);
    const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'doctor', '--asterisk-etc', etc], { env: { ...process.env, ...env(a, { AMI_SECRET: 'wrong' }) }, timeout: 20_000 }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout });
      });
    });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/^✗ AMI login as agentgate: refused/m);
  }, 30_000);

  it('a missing member context, a queue Asterisk lacks and numbers that route nowhere fail, each named', async () => {
    await redis.redis.hset(`${PREFIX}allow:8010`, '79990001122', JSON.stringify({ penalty: 0, name: 'x' }));
    await redis.redis.sadd(`${PREFIX}allow-queues`, '8010');
    const a = await pbx();
    const missingContext = await doctor(a, { MEMBER_CONTEXT: 'outbound-mobiles' });
    expect(formatCheck(byId(missingContext, 'member-context'))).toBe('✗ member context outbound-mobiles: Asterisk has no such context, so every member rings nothing → set MEMBER_CONTEXT to the context of your outbound routes (FreePBX: outbound-allroutes)');
    expect(formatCheck(byId(missingContext, 'queue:8010'))).toMatch(/^✗ queue 8010: has an allowlist but Asterisk has no such queue/);
    await redis.redis.hset(`${PREFIX}allow:8009`, '4951234567', JSON.stringify({ penalty: 0, name: 'Moscow office' }));
    const unrouted = await doctor(a);
    expect(byId(unrouted, 'member-routes')).toMatchObject({ mark: 'fail' });
    expect(byId(unrouted, 'member-routes').detail).toMatch(/^allowlisted numbers: 1 match no extension in outbound-allroutes: 4951234567 \(8009\)/);
  });

  it('without reporting the dialplan is not checked: a warning with the exact line to add', async () => {
    const a = await pbx({ rights: { write: ['agent', 'call'], read: ['agent', 'system'] } });
    const checks = await doctor(a);
    expect(formatCheck(byId(checks, 'member-context'))).toBe(
      '⚠ member context outbound-allroutes: not checked: ShowDialPlan needs the reporting class, which agentgate lacks → in [agentgate] of manager_custom.conf: write = agent,call,reporting (reporting only reads); asterisk -rx "manager reload"',
    );
    expect(checks.some((c) => c.id === 'member-routes')).toBe(false);
    expect(checks.filter((c) => c.mark === 'fail'), lines(checks)).toEqual([]);
  });

  it('rights: a missing class the service needs is a fault, classes it does not need are a warning', async () => {
    const noCall = await doctor(await pbx({ rights: { write: ['agent', 'reporting'], read: ['agent', 'system'] } }));
    expect(formatCheck(byId(noCall, 'ami-rights'))).toBe('✗ AMI rights of agentgate: missing write call (needed for Setvar/Getvar) → in [agentgate] of manager_custom.conf: write = agent,call,reporting; asterisk -rx "manager reload"');
    await ami?.stop();
    const all = await doctor(await pbx({ rights: { write: ['all'], read: ['all'] } }));
    expect(byId(all, 'ami-rights').mark).toBe('ok');
    expect(byId(all, 'ami-excess')).toMatchObject({ mark: 'warn', fix: 'in [agentgate] of manager_custom.conf: write = agent,call; asterisk -rx "manager reload"' });
    expect(byId(all, 'ami-excess').detail).toMatch(/more than it needs: system,command,config,originate/);
  });

  it('a user that does not read system events is told it misses Asterisk restarts', async () => {
    const checks = await doctor(await pbx({ rights: { write: ['agent', 'call', 'reporting'], read: ['agent'] } }));
    expect(byId(checks, 'ami-events')).toMatchObject({ mark: 'warn' });
    expect(byId(checks, 'ami-events').fix).toMatch(/read = agent,system/);
  });

  it('risky queue settings and persistentmembers off are warnings, shown with their values', async () => {
    writeFileSync(path.join(etc, 'queues.conf'), GOOD_QUEUES_CONF.replace('persistentmembers=yes', 'persistentmembers=no'));
    writeFileSync(path.join(etc, 'queues_additional.conf'), queuesAdditional('yes', 30));
    const checks = await doctor(await pbx());
    const q = byId(checks, 'queue:8008');
    expect(q.mark).toBe('warn');
    expect(q.detail).toBe('queue 8008 (as Asterisk names it: 8008): strategy ringall, ringinuse yes, timeout 30 s; ring-in-use is on: a mobile already on a queue call is rung again; agent timeout 30 s: voicemail of a mobile may answer queue calls');
    expect(q.fix).toBe('in FreePBX, Applications > Queues > 8008: Skip Busy Agents: a "(ringinuse=no)" choice, Agent Timeout 15 s or less');
    expect(byId(checks, 'persistentmembers').mark).toBe('warn');
    expect(checks.filter((c) => c.mark === 'fail')).toEqual([]);
  });

  it('without queues.conf, persistentmembers is read from astdb when a queue has dynamic members', async () => {
    rmSync(path.join(etc, 'queues.conf'));
    const a = await pbx();
    a.addMember('8008', 'Local/79112223344@outbound-allroutes/n', { name: 'Ivan Petrov' });
    const checks = await doctor(a);
    expect(byId(checks, 'queues-conf').mark).toBe('warn');
    expect(byId(checks, 'persistentmembers')).toMatchObject({ mark: 'ok', detail: "Asterisk persistentmembers: on (queue 8008's dynamic members are in astdb)" });
    expect(byId(checks, 'queue:8008').detail).toBe('queue 8008 (as Asterisk names it: 8008): strategy ringall');
  });

  it('Redis without persistence is a fault; a Redis that does not answer is one too', async () => {
    await redis.redis.config('SET', 'appendonly', 'no');
    await redis.redis.config('SET', 'save', '');
    const a = await pbx();
    expect(formatCheck(byId(await doctor(a), 'redis-persistence'))).toMatch(/^✗ Redis persistence: off \(appendonly no, save ""\) → set appendonly yes/);
    await redis.redis.config('SET', 'save', '3600 1');
    expect(byId(await doctor(a), 'redis-persistence')).toMatchObject({ mark: 'ok', detail: 'Redis persistence: RDB snapshots (save 3600 1); appendonly yes loses less' });
    const down = await doctor(a, { REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(byId(down, 'redis')).toMatchObject({ mark: 'fail' });
    expect(down.some((c) => c.id === 'redis-persistence')).toBe(false);
  });

  it('FastAGI: nothing listening, a FASTAGI_ALLOW that shuts out Asterisk, and an AGENTGATE global that is not set are faults', async () => {
    const a = await pbx({ globals: {} });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const checks = await doctor(a, { FASTAGI_PORT: String(port), FASTAGI_ALLOW: '10.0.0.0/8' });
    expect(byId(checks, 'fastagi')).toMatchObject({ mark: 'fail' });
    expect(byId(checks, 'fastagi').detail).toMatch(new RegExp(`^FastAGI: nothing listens on 127.0.0.1:${port} \\(ECONNREFUSED\\)`));
    expect(formatCheck(byId(checks, 'fastagi-reach'))).toBe('✗ FastAGI: FASTAGI_ALLOW (10.0.0.0/8) does not admit 127.0.0.1, the address Asterisk connects from: every call is closed at once → set FASTAGI_ALLOW=127.0.0.1 (the PBX alone)');
    expect(byId(checks, 'dialplan-global')).toMatchObject({ mark: 'fail', detail: 'dialplan: the global AGENTGATE is not set, so the shipped dialplan calls agi:///... and every call fails' });
  });

  it('a configuration error is one ✗ line naming the key', async () => {
    const res = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'doctor'], { env: { ...process.env, FASTAGI_PORT: 'many' }, timeout: 20_000 }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout });
      });
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^✗ configuration: FASTAGI_PORT: must be a whole number, got "many" → correct FASTAGI_PORT/);
  });
});

describe('agentgate doctor: confirm on answer', () => {
  it('without the shipped agentgate-confirm context, mobiles would ring nothing: a fault naming the fix', async () => {
    const { ['agentgate-confirm']: _gone, ...without } = DIALPLAN;
    const a = await pbx({ dialplan: without });
    const checks = await doctor(a);
    expect(byId(checks, 'confirm-context')).toMatchObject({ mark: 'fail' });
    expect(byId(checks, 'confirm-context').fix).toMatch(/agentgate-confirm.*extensions_custom\.conf.*CONFIRM_ANSWER=off/);
  });
});
