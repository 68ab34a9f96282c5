// Issue 14's settings: defaults as the README's Configuration table gives them,
// the environment deadline far below the idle timeout, bad values named.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';

describe('connection and stream limits configuration', () => {
  it('defaults: a 5 s environment deadline (the idle timeout stays 60 s), caps per address, per token and on the API', () => {
    const c = loadConfig({});
    expect(c.fastagi).toMatchObject({ envTimeoutMs: 5000, idleTimeoutMs: 60_000, maxSessionsPerAddress: 1000 });
    expect(c.api).toMatchObject({ streamBufferBytes: 32 * 1024 * 1024, streamsPerToken: 20, maxConnections: 600 });
  });

  it('reads each from its own key and refuses bad values naming the key', () => {
    const c = loadConfig({ FASTAGI_ENV_TIMEOUT_MS: '2000', FASTAGI_MAX_SESSIONS_PER_ADDRESS: '50', API_STREAM_BUFFER_BYTES: '1048576', API_STREAMS_PER_TOKEN: '3', API_MAX_CONNECTIONS: '100' });
    expect(c.fastagi).toMatchObject({ envTimeoutMs: 2000, maxSessionsPerAddress: 50 });
    expect(c.api).toMatchObject({ streamBufferBytes: 1_048_576, streamsPerToken: 3, maxConnections: 100 });
    for (const key of ['FASTAGI_ENV_TIMEOUT_MS', 'FASTAGI_MAX_SESSIONS_PER_ADDRESS', 'API_STREAM_BUFFER_BYTES', 'API_STREAMS_PER_TOKEN', 'API_MAX_CONNECTIONS']) {
      expect(() => loadConfig({ [key]: 'lots' }), key).toThrow(new RegExp(key));
      expect(() => loadConfig({ [key]: '0' }), key).toThrow(new RegExp(key));
    }
  });
});
