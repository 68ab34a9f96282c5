// The agentgate command line as an administrator runs it: a real process, the
// same environment variables as the service, a real Redis and the AMI double.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAmiDouble, type AmiDouble } from '../doubles/ami-asterisk.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const CLI = path.resolve(import.meta.dirname, '../../lib/cli/main.ts');

let t: TestRedis;
let ami: AmiDouble;
beforeEach(async () => {
  t = await testRedis();
  ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: ['8008', '8009'] });
});
afterEach(async () => {
  await ami.stop();
  await t.cleanup();
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, REDIS_URL: t.url, REDIS_PREFIX: t.prefix, AMI_PORT: String(ami.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret', USER: 'alice', SUDO_USER: '', CONFIRM_ANSWER: 'off' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('agentgate CLI: allowlists', () => {
  it('adds, lists and removes numbers with penalty and name', async () => {
    expect(await cli('allow', 'add', '8008', '+7 (911) 222-33-44', '--penalty', '2', '--name', 'Ivan Petrov')).toMatchObject({ code: 0, stdout: 'allowed 79112223344 in 8008 with penalty 2\n' });
    await cli('allow', 'add', '8009', '79110000000');
    const list = await cli('allow', 'list');
    expect(list.stdout).toBe('queue 8008 (policy list)\n  79112223344\tpenalty 2\tIvan Petrov\nqueue 8009 (policy list)\n  79110000000\tpenalty 0\t79110000000\n');
    expect((await cli('allow', 'remove', '8008', '79112223344')).stdout).toMatch(/removed 79112223344/);
    expect((await cli('allow', 'list', '8008')).stdout).toBe('queue 8008\n');
    await cli('allow', 'add', '8008', '79112223344', '--no-confirm');
    expect((await cli('allow', 'list', '8008')).stdout).toBe('queue 8008\n  79112223344\tpenalty 0\t79112223344\tno confirm\n');
  });

  it('refuses bad arguments and bad values with the usage and exit 2, and changes nothing', async () => {
    const usage = await cli('allow', 'add', '8008');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: agentgate/);
    expect((await cli('frobnicate')).code).toBe(2);
    const anon = await cli('allow', 'add', '8008', 'anonymous');
    expect(anon).toMatchObject({ code: 2 });
    expect(anon.stderr).toMatch(/INVALID_NUMBER/);
    const badName = await cli('allow', 'add', '8008', '79112223344', '--name', 'Petrov; Ivan');
    expect(badName.stderr).toMatch(/BAD_PARAMS/);
    expect((await cli('allow', 'add', '8008', '79112223344', '--penalty', 'high')).code).toBe(2);
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });
});

describe('agentgate CLI: members, login and logout', () => {
  it('logs a number in and out of all its queues and shows Asterisk\'s live view', async () => {
    await cli('allow', 'add', '8008', '79112223344', '--name', 'Ivan Petrov');
    await cli('allow', 'add', '8009', '79112223344', '--name', 'Ivan Petrov');
    expect((await cli('login', '79112223344', '8008,8009')).stdout).toMatch(/^79112223344: LOGGEDIN/);
    ami.addMember('8009', 'Local/1001@from-queue/n', { name: 'Desk 1001' });
    const members = (await cli('members')).stdout;
    expect(members).toMatch(/8008\tLocal\/79112223344@outbound-allroutes\/n\tIvan Petrov\tpenalty 0\t\[agentgate\]/);
    expect(members).toMatch(/8009\tLocal\/1001@from-queue\/n\tDesk 1001\tpenalty 0\t\[unknown to agentgate\]/);
    expect((await cli('logout', '79112223344')).stdout).toMatch(/^79112223344: LOGGEDOUT \(8008 in->out, 8009 in->out\)/);
    expect(ami.members().map((m) => m.interface)).toEqual(['Local/1001@from-queue/n']);
    const audit = (await cli('audit')).stdout.trim().split('\n');
    expect(audit.map((l) => l.split('\t').slice(1, 6).join(' '))).toEqual([
      'allow 79112223344 8008 OK cli by alice', 'allow 79112223344 8009 OK cli by alice',
      'login 79112223344 8008 OK cli by alice', 'login 79112223344 8009 OK cli by alice',
      'logout 79112223344 8008 OK cli by alice', 'logout 79112223344 8009 OK cli by alice',
    ]);
  });

  it('says clearly when Asterisk cannot be reached', async () => {
    await ami.refuse(true);
    const res = await cli('members');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/PBX_UNAVAILABLE: no AMI login at 127.0.0.1:\d+ within 5 s/);
  }, 20_000);
});

describe('agentgate CLI: pause and unpause a number', () => {
  it('pauses a logged-in number in one queue with a reason and unpauses it; a number in no queue is refused (exit 1)', async () => {
    expect(await cli('pause', '79112223344')).toMatchObject({ code: 1, stderr: expect.stringMatching(/NOT_LOGGED_IN/) });
    ami.addMember('8008', 'Local/79112223344@outbound-allroutes/n', { name: 'Ivan' });
    ami.addMember('8009', 'Local/79112223344@outbound-allroutes/n', { name: 'Ivan' });
    expect(await cli('pause', '79112223344', '--queue', '8009', '--reason', 'lunch')).toMatchObject({ code: 0, stdout: '79112223344: PAUSED (lunch); paused in 8009\n' });
    expect(ami.members('8009')[0]).toMatchObject({ paused: true, pausedReason: 'lunch' });
    expect(ami.members('8008')[0]).toMatchObject({ paused: false });
    expect(await cli('unpause', '79112223344')).toMatchObject({ code: 0, stdout: '79112223344: UNPAUSED; paused in no queue\n' });
    expect(ami.members('8009')[0]).toMatchObject({ paused: false });
    expect((await cli('unpause', '79112223344', '--reason', 'x')).code).toBe(2);
  });
});
