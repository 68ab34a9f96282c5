// The command line refuses what it cannot read exactly: unknown options, options
// without their value, and arguments the domain refuses all print the usage and
// exit 2, and change nothing (issue 14).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testRedis, type TestRedis } from '../support/redis.ts';

const CLI = path.resolve(import.meta.dirname, '../../lib/cli/main.ts');

let t: TestRedis;
beforeEach(async () => {
  t = await testRedis();
});
afterEach(async () => {
  await t.cleanup();
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // AMI on a closed port: none of these commands may get as far as needing it.
  const env = { ...process.env, REDIS_URL: t.url, REDIS_PREFIX: t.prefix, AMI_PORT: '1', USER: 'alice', SUDO_USER: '' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('agentgate CLI: argument refusals', () => {
  it.each([
    ['a misspelt option', ['allow', 'add', '8008', '79112223344', '--penatly', '2'], /--penatly/],
    ['--name without a value', ['allow', 'add', '8008', '79112223344', '--name'], /--name/],
    ['--name followed by another option', ['allow', 'add', '8008', '79112223344', '--name', '--penalty', '1'], /--name/],
    ['--context without a value', ['login', '79112223344', '8008', '--context'], /--context/],
  ])('%s: usage on stderr, exit 2, no stack trace, nothing written', async (_what, args, names) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(names);
    expect(r.stderr).toMatch(/usage: agentgate/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });

  it('domain refusals of an argument (INVALID_NUMBER, BAD_PARAMS) exit 2 with their code and the usage', async () => {
    const anon = await cli('allow', 'add', '8008', 'anonymous');
    expect(anon.code).toBe(2);
    expect(anon.stderr).toMatch(/INVALID_NUMBER/);
    expect(anon.stderr).toMatch(/usage: agentgate/);
    const badName = await cli('allow', 'add', '8008', '79112223344', '--name', 'Petrov; Ivan');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/BAD_PARAMS/);
    const badQueue = await cli('policy', 'bad queue', 'open');
    expect(badQueue.code).toBe(2);
    expect(await t.redis.keys(`${t.prefix}*`)).toEqual([]);
  });
});
