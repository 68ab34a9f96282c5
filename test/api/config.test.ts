// The API's configuration: tokens inline or from a file, the port rules, and
// errors that name the entry but never print a token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';

const T1 = 'abcdefghijklmnop0123';
const T2 = 'ZYXWVUTSRQPONMLK9876';

function fails(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted it');
}

describe('API configuration', () => {
  it('is off without tokens, on port 8088 of loopback with them', () => {
    const limits = { streamBufferBytes: 32 * 1024 * 1024, streamsPerToken: 20, maxConnections: 600 };
    expect(loadConfig({}).api).toEqual({ host: '127.0.0.1', port: null, tokens: [], metricsPublic: false, corsOrigins: [], ...limits });
    expect(loadConfig({ API_TOKENS: `board:read:${T1}, ops:admin:${T2}` }).api).toEqual({
      host: '127.0.0.1', port: 8088, metricsPublic: false, corsOrigins: [], ...limits,
      tokens: [{ name: 'board', role: 'read', token: T1 }, { name: 'ops', role: 'admin', token: T2 }],
    });
    expect(loadConfig({ API_TOKENS: `ops:admin:${T2}`, API_PORT: 'off' }).api.port).toBeNull();
    expect(loadConfig({ API_TOKENS: `ops:admin:${T2}`, API_PORT: '0', API_HOST: '0.0.0.0', METRICS_PUBLIC: 'yes', API_CORS_ORIGINS: 'https://Wallboard.example:8443, http://10.0.0.5' }).api)
      .toMatchObject({ port: 0, host: '0.0.0.0', metricsPublic: true, corsOrigins: ['https://wallboard.example:8443', 'http://10.0.0.5'] });
  });

  it('reads a token file, skipping comments and blank lines', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'agentgate-')), 'tokens');
    writeFileSync(file, `# wallboards\nboard:read:${T1}\n\nops:admin:${T2}\n`);
    expect(loadConfig({ API_TOKENS_FILE: file }).api.tokens.map((t) => `${t.name}:${t.role}`)).toEqual(['board:read', 'ops:admin']);
    expect(fails({ API_TOKENS_FILE: `${file}.missing` }).message).toMatch(/^API_TOKENS_FILE: cannot read/);
  });

  it('refuses bad entries, naming the entry and never the token', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ API_PORT: '8088' }, /API_PORT: the admin API needs API_TOKENS/],
      [{ API_TOKENS: `ops:root:${T1}` }, /entry 1 \(ops\): role must be read or admin/],
      [{ API_TOKENS: 'ops:admin:short' }, /entry 1 \(ops\): token must be 16 to 256/],
      [{ API_TOKENS: `ops:admin:${T1},ops:read:${T2}` }, /entry 2: name ops is used twice/],
      [{ API_TOKENS: `a:admin:${T1},b:read:${T1}` }, /entry 2 \(b\): the same token is given twice/],
      [{ API_TOKENS: `no colons ${T1}` }, /entry 1 is not name:role:token/],
      [{ API_TOKENS: `ops:admin:${T1}`, API_TOKENS_FILE: '/etc/x' }, /not both/],
      [{ API_TOKENS: `ops:admin:${T1}`, API_PORT: '70000' }, /API_PORT: must be between/],
      [{ API_TOKENS: `ops:admin:${T1}`, API_CORS_ORIGINS: 'https://ok.example,https://bad.example/path' }, /API_CORS_ORIGINS: "https:\/\/bad.example\/path" is not an origin/],
    ];
    for (const [env, message] of cases) {
      const err = fails(env);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(T1);
      expect(err.message).not.toContain(T2);
    }
  });
});
