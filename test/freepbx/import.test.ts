// agentgate import freepbx as an administrator runs it: a real process, a real
// Redis, the recorded-looking `database show QPENALTY` text on standard input,
// or FreePBX's astdb in the AMI double read over AMI.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDatabaseShow, treeFromEntries } from '../../lib/freepbx/qpenalty.ts';
import { startAmiDouble, type AmiDouble } from '../doubles/ami-asterisk.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const CLI = path.resolve(import.meta.dirname, '../../lib/cli/main.ts');
const FIXTURE = readFileSync(path.resolve(import.meta.dirname, '../fixtures/freepbx/database-show-qpenalty.txt'), 'utf8');

let t: TestRedis;
let ami: AmiDouble | undefined;
beforeEach(async () => {
  t = await testRedis();
});
afterEach(async () => {
  await ami?.stop();
  ami = undefined;
  await t.cleanup();
});

function cli(args: string[], o: { stdin?: string; amiPort?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env, REDIS_URL: t.url, REDIS_PREFIX: t.prefix, AMI_PORT: String(o.amiPort ?? 1), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret',
    USER: 'alice', SUDO_USER: '', NUMBER_REWRITE: '^8(\\d{10})$=>7$1',
  };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(o.stdin ?? '');
  });
}

async function allowlists(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const q of (await t.redis.smembers(`${t.prefix}allow-queues`)).sort()) {
    const h = await t.redis.hgetall(`${t.prefix}allow:${q}`);
    out[q] = { policy: await t.redis.get(`${t.prefix}policy:${q}`), ...Object.fromEntries(Object.entries(h).map(([n, v]) => [n, JSON.parse(v)])) };
  }
  return out;
}

const EXPECTED = {
  '8008': {
    policy: 'list',
    '1001': { penalty: 0, name: '1001' },
    '1002': { penalty: 1, name: '1002' },
    '79112223344': { penalty: 2, name: '79112223344' },
  },
  '8009': {
    policy: null,
    '79115556677': { penalty: 1, name: '79115556677' },
    '1003': { penalty: 0, name: '1003' },
  },
  sales: { policy: 'list', '1004': { penalty: 3, name: '1004' } },
};

describe('agentgate import freepbx --from-stdin', () => {
  it('imports the recorded database show QPENALTY into the allowlists, lists refusals, and a re-run changes nothing', async () => {
    const first = await cli(['import', 'freepbx', '--from-stdin'], { stdin: FIXTURE });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      'FreePBX (database show QPENALTY from standard input): 3 queues, 8 agents',
      'changed:',
      '  allow 8008 1001 penalty 0',
      '  allow 8008 1002 penalty 1',
      '  allow 8008 79112223344 penalty 2',
      '  policy 8008: unset -> list (FreePBX dynmemberonly yes)',
      '  allow 8009 79115556677 penalty 1 (from 89115556677)',
      '  allow 8009 1003 penalty 0 (from Local/1003@from-queue/n)',
      '  allow sales 1004 penalty 3',
      '  policy sales: unset -> list (FreePBX dynmemberonly yes)',
      'refused:',
      '  8009 12: number must have 3 to 15 digits',
      '  8009 PJSIP/alice: caller ID is not a phone number',
      'note: queue 8009: FreePBX lets any agent log in (dynmemberonly no); agentgate keeps its list, so only listed numbers get in (agentgate policy 8009 open lets any caller in, on purpose only)',
      '8 changed, 0 unchanged, 2 refused',
      '',
    ]);
    expect(await allowlists()).toEqual(EXPECTED);

    const auditLen = await t.redis.xlen(`${t.prefix}audit`);
    const again = await cli(['import', 'freepbx', '--from-stdin'], { stdin: FIXTURE });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 changed, 8 unchanged, 2 refused$/m);
    expect(again.stdout).not.toMatch(/changed:/);
    expect(await allowlists()).toEqual(EXPECTED);
    expect(await t.redis.xlen(`${t.prefix}audit`)).toBe(auditLen);
  });

  it('audits every change as the administrator who ran it, and the import itself', async () => {
    await cli(['import', 'freepbx', '--from-stdin'], { stdin: FIXTURE });
    const audit = (await cli(['audit'])).stdout.trim().split('\n').map((l) => l.split('\t').slice(1, 6).join(' '));
    expect(audit).toEqual([
      'allow 1001 8008 OK cli by alice', 'allow 1002 8008 OK cli by alice', 'allow 79112223344 8008 OK cli by alice', 'policy 8008 8008 OK cli by alice',
      'allow 79115556677 8009 OK cli by alice', 'allow 1003 8009 OK cli by alice', 'allow 1004 sales OK cli by alice', 'policy sales sales OK cli by alice',
      'import-freepbx freepbx-stdin - OK cli by alice',
    ]);
  });

  it('--dry-run prints what would change and writes nothing', async () => {
    const res = await cli(['import', 'freepbx', '--from-stdin', '--dry-run'], { stdin: FIXTURE });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^would change:$/m);
    expect(res.stdout).toMatch(/^  allow 8008 79112223344 penalty 2$/m);
    expect(res.stdout).toMatch(/^8 would change \(dry run: nothing written\), 0 unchanged, 2 refused$/m);
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });

  it('keeps a name set in agentgate, updates a penalty FreePBX changed, and leaves other numbers alone', async () => {
    await cli(['allow', 'add', '8008', '79112223344', '--penalty', '5', '--name', 'Ivan Petrov']);
    await cli(['allow', 'add', '8008', '79990000000']);
    const res = await cli(['import', 'freepbx', '--from-stdin'], { stdin: FIXTURE });
    expect(res.stdout).toMatch(/^  allow 8008 79112223344 penalty 5 -> 2$/m);
    const lists = await allowlists();
    expect(lists['8008']).toMatchObject({ '79112223344': { penalty: 2, name: 'Ivan Petrov' }, '79990000000': { penalty: 0, name: '79990000000' } });
  });

  it('refuses input that is not database show output, changing nothing', async () => {
    const res = await cli(['import', 'freepbx', '--from-stdin'], { stdin: 'No such command "database show"\n' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/BAD_PARAMS: the input is not the output of database show QPENALTY/);
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });
});

describe('agentgate import freepbx over AMI', () => {
  async function pbxWithQpenalty(write: string[]): Promise<AmiDouble> {
    ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: ['8008', '8009', 'Sales'], rights: { write, read: ['agent', 'system'] } });
    for (const [key, value] of parseDatabaseShow(FIXTURE).entries) ami.putDb(key, value);
    ami.putDb('AMPUSER/1001/password', '1234');
    return ami;
  }

  it('reads astdb with DBGetTree when the user has reporting, with the same result as the text', async () => {
    const a = await pbxWithQpenalty(['agent', 'call', 'reporting']);
    const res = await cli(['import', 'freepbx'], { amiPort: a.port });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^FreePBX \(astdb over AMI\): 3 queues, 8 agents$/m);
    expect(await allowlists()).toEqual(EXPECTED);
    expect(a.actions.filter((x) => x.Action === 'DBGetTree').map((x) => x.Family)).toEqual(['QPENALTY']);
    expect((await cli(['import', 'freepbx'], { amiPort: a.port })).stdout).toMatch(/^0 changed, 8 unchanged, 2 refused$/m);
  });

  it('with the shipped rights it says how to import from the text instead, and changes nothing', async () => {
    const a = await pbxWithQpenalty(['agent', 'call']);
    const res = await cli(['import', 'freepbx'], { amiPort: a.port });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/the AMI user may not read astdb .*asterisk -rx "database show QPENALTY" \| npx agentgate import freepbx --from-stdin/);
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });
});

describe('FreePBX QPENALTY parsing', () => {
  it('reads interfaces with slashes as one member and leaves other keys alone', () => {
    const tree = treeFromEntries([
      ['/QPENALTY/8009/agents/Local/1003@from-queue/n', '0'],
      ['/QPENALTY/8009/dynmemberonly', 'no'],
      ['/QPENALTY/8009/something/else', 'x'],
    ]);
    expect(tree).toEqual({ queues: [{ queue: '8009', agents: [{ member: 'Local/1003@from-queue/n', penalty: '0' }], dynmemberonly: 'no' }], ignored: ['/QPENALTY/8009/something/else'] });
  });
});
