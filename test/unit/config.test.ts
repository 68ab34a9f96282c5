import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';

describe('configuration from the environment', () => {
  it('starts with safe defaults: FastAGI on loopback port 4573, loopback-only clients', () => {
    const c = loadConfig({});
    expect(c.fastagi).toMatchObject({ host: '127.0.0.1', port: 4573, allow: ['127.0.0.0/8', '::1/128'] });
    expect(c.redis.url).toBe('redis://127.0.0.1:6379/0');
    expect(c.redis.lockTtlMs).toBe(15_000);
  });

  it('names the bad key when a value is wrong', () => {
    expect(() => loadConfig({ FASTAGI_PORT: 'abc' })).toThrow(/FASTAGI_PORT/);
    expect(() => loadConfig({ AMI_PORT: '70000' })).toThrow(/AMI_PORT: must be between/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ AMI_SECRET: 'a\r\nAction: Command' })).toThrow(/AMI_SECRET/);
    expect(() => loadConfig({ NUMBER_REWRITE: '(=>1' })).toThrow(/NUMBER_REWRITE/);
    expect(() => loadConfig({ LOCK_TTL_MS: '100' })).toThrow(/LOCK_TTL_MS: must be between/);
  });
});
