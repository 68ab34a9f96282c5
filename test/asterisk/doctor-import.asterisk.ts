// agentgate doctor and agentgate import freepbx against the real Asterisk of
// the fixture: the shipped AMI user, FreePBX's queues.conf and dialplan shape,
// FreePBX's QPENALTY entries put into the real astdb. Redis is a private one
// with appendonly on (the shared test Redis has no persistence, which doctor
// rightly calls a fault).
import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../doctor/private-redis.ts';
import { REPO } from './support/fixture.ts';
import { asteriskMissing, useWorld } from './support/suite.ts';
import type { World } from './support/world.ts';

const CLI = path.join(REPO, 'lib/cli/main.ts');
const PREFIX = 'agtest-doctor:';
// A user like the shipped one plus reporting, as doctor advises for its dialplan checks.
const REPORTING_USER = { username: 'agtest-reporting', secret: 'agtest-reporting-secret-0123456789' };
const FIXTURE = readFileSync(path.join(REPO, 'test/fixtures/freepbx/database-show-qpenalty.txt'), 'utf8');

describe.skipIf(asteriskMissing)('doctor and FreePBX import on a real Asterisk', () => {
  let redis: PrivateRedis;
  const world = useWorld({
    setup: async (w) => {
      appendFileSync(path.join(w.ast.dir, 'etc', 'manager.conf'), `
[${REPORTING_USER.username}]
secret = ${REPORTING_USER.secret}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
write = agent,call,reporting
read = agent,system
`);
      await w.ast.cli('manager reload');
      // FreePBX's agents, written as its queues module writes them (family QPENALTY, key <queue>/agents/<member>).
      for (const m of FIXTURE.matchAll(/^\/QPENALTY\/(\S+?)\s*: (\S*)/gm)) await w.ast.cli(`database put QPENALTY ${m[1]} ${m[2]}`);
    },
  });
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  function cli(w: World, args: string[], o: { env?: Record<string, string>; stdin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: PREFIX, AMI_HOST: '127.0.0.1', AMI_PORT: String(w.ast.amiPort),
      AMI_USERNAME: w.amiUser.username, AMI_SECRET: w.amiUser.secret, FASTAGI_HOST: '127.0.0.1', FASTAGI_PORT: String(w.app.port),
      NUMBER_REWRITE: '^8(\\d{10})$=>7$1', USER: 'alice', SUDO_USER: '', LOG_LEVEL: 'warn', ...o.env,
    };
    return new Promise((resolve) => {
      const child = execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
      child.stdin?.end(o.stdin ?? '');
    });
  }
  const doctor = (w: World, env: Record<string, string> = {}) => cli(w, ['doctor', '--asterisk-etc', path.join(w.ast.dir, 'etc')], { env });
  const line = (out: string, re: RegExp) => out.split('\n').find((l) => re.test(l)) ?? `(no line matching ${re})`;

  it('imports FreePBX\'s agents from Asterisk\'s own database show text, then again over AMI changing nothing', async () => {
    const w = world();
    const text = await w.ast.cli('database show QPENALTY');
    expect(text).toMatch(/^\/QPENALTY\/8008\/agents\/1001 +: 0 +$/m);
    const first = await cli(w, ['import', 'freepbx', '--from-stdin'], { stdin: text });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^8 changed, 0 unchanged, 2 refused$/m);
    expect(first.stdout).toMatch(/^ {2}8009 PJSIP\/alice: caller ID is not a phone number$/m);
    expect(await redis.redis.hgetall(`${PREFIX}allow:8009`)).toEqual({
      '79115556677': JSON.stringify({ penalty: 1, name: '79115556677' }),
      '1003': JSON.stringify({ penalty: 0, name: '1003' }),
    });
    expect(await redis.redis.get(`${PREFIX}policy:8008`)).toBe('list');
    // The shipped user may not read astdb: the import says how to do it instead.
    const denied = await cli(w, ['import', 'freepbx']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/--from-stdin/);
    const viaAmi = await cli(w, ['import', 'freepbx'], { env: { AMI_USERNAME: REPORTING_USER.username, AMI_SECRET: REPORTING_USER.secret } });
    expect(viaAmi.code, viaAmi.stderr).toBe(0);
    expect(viaAmi.stdout).toMatch(/^FreePBX \(astdb over AMI\): 3 queues, 8 agents$/m);
    expect(viaAmi.stdout).toMatch(/^0 changed, 8 unchanged, 2 refused$/m);
  });

  it('passes on the correct set-up with the shipped user: no ✗, exit 0', async () => {
    const w = world();
    const res = await doctor(w);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).not.toMatch(/^✗/m);
    for (const ok of [
      /^✓ AMI login as agentgate: accepted$/, /^✓ AMI rights of agentgate: writes agent,call as needed$/, /^✓ AMI rights of agentgate: nothing beyond/,
      /^✓ AMI events: the user reads system events/, /^✓ Asterisk persistentmembers: yes$/, /^✓ dialplan: AGENTGATE = 127\.0\.0\.1:\d+$/,
      /^✓ FastAGI: something listens/, /^✓ FastAGI: Asterisk connects from 127\.0\.0\.1/, /^✓ Redis persistence: appendonly yes$/,
    ]) expect(res.stdout).toMatch(new RegExp(ok.source, 'm'));
    // FreePBX's default "Skip Busy Agents: No" writes ringinuse=yes: flagged, not a fault.
    expect(line(res.stdout, /queue 8008/)).toMatch(/^⚠ queue 8008 \(as Asterisk names it: 8008\): strategy ringall, ringinuse yes, timeout 15 s; ring-in-use is on/);
    // It changed nothing: its probes set no global, added no member, wrote nothing to astdb.
    expect((await w.ami.action({ Action: 'Getvar', Variable: 'AGENTGATE_DOCTOR_PROBE' })).response.Value ?? '').toBe('');
    expect(await w.members('8008')).toEqual([]);
    expect(await w.ast.cli('database show Queue')).toMatch(/^0 results found\.$/m);
    // Without reporting the dialplan is not checked, and doctor says which line to add.
    expect(line(res.stdout, /member context/)).toMatch(/^⚠ .*write = agent,call,reporting/);
  });

  it('with reporting checks the dialplan in Asterisk: numbers route through the included outbound route, desks through ext-local', async () => {
    const w = world();
    const res = await doctor(w, { AMI_USERNAME: REPORTING_USER.username, AMI_SECRET: REPORTING_USER.secret });
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/^✓ member context outbound-allroutes: exists$/m);
    expect(line(res.stdout, /allowlisted numbers/)).toMatch(/^✓ allowlisted numbers: 2 of 6 route in outbound-allroutes; 4 desk extensions found in ext-local \(they log in with context=from-queue\)$/);
  });

  it('fails naming each fault: a wrong secret, a missing member context, a queue missing from Asterisk, a number that routes nowhere', async () => {
    const w = world();
    const wrong = await doctor(w, { AMI_SECRET: 'not-the-secret' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^✗ AMI login as agentgate: refused \(Authentication failed: wrong secret/m);
    await redis.redis.hset(`${PREFIX}allow:8010`, '79990001122', JSON.stringify({ penalty: 0, name: 'x' }));
    await redis.redis.hset(`${PREFIX}allow:8009`, '4951234567', JSON.stringify({ penalty: 0, name: 'Office' }));
    await redis.redis.sadd(`${PREFIX}allow-queues`, '8010');
    try {
      const faults = await doctor(w, { AMI_USERNAME: REPORTING_USER.username, AMI_SECRET: REPORTING_USER.secret });
      expect(faults.code).toBe(1);
      expect(faults.stdout).toMatch(/^✗ queue 8010: has an allowlist but Asterisk has no such queue/m);
      expect(faults.stdout).toMatch(/^✗ allowlisted numbers: \d+ match no extension in outbound-allroutes: 4951234567 \(8009\)/m);
      const noContext = await doctor(w, { AMI_USERNAME: REPORTING_USER.username, AMI_SECRET: REPORTING_USER.secret, MEMBER_CONTEXT: 'outbound-mobiles' });
      expect(noContext.code).toBe(1);
      expect(noContext.stdout).toMatch(/^✗ member context outbound-mobiles: Asterisk has no such context/m);
    } finally {
      await redis.redis.del(`${PREFIX}allow:8010`);
      await redis.redis.srem(`${PREFIX}allow-queues`, '8010');
      await redis.redis.hdel(`${PREFIX}allow:8009`, '4951234567');
    }
  });
});
