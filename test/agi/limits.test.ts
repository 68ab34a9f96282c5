// The byte-level guard and the client allowlist, as plain functions.
import { describe, expect, it } from 'vitest';
import { createAllowList } from '../../lib/agi/allow.ts';
import { WireGuard } from '../../lib/agi/wire-guard.ts';
import { ConfigError } from '../../lib/config.ts';
import { environmentReads, hostileEnvironment, session } from './recordings.ts';

const guard = (maxLineBytes = 8192, maxEnvBytes = 65536) => new WireGuard({ maxLineBytes, maxEnvBytes });
const feed = (g: WireGuard, ...chunks: string[]) => chunks.map((c) => g.push(Buffer.from(c))).find(Boolean);

describe('wire guard', () => {
  it('lets the recorded environments and replies through, however they are split', () => {
    const env = environmentReads(session('agi-session.log', 1));
    const g = guard();
    expect(feed(g, ...env, '200 result=1 (bar:baz)\n', 'HANGUP\n200 res', 'ult=0\n')).toBeUndefined();
    expect(g.environmentDone).toBe(true);
    const perByte = guard();
    expect(feed(perByte, ...hostileEnvironment().split(''))).toBeUndefined();
    expect(perByte.environmentDone).toBe(true);
  });

  it('stops a line longer than maxLineBytes, within one chunk or across many', () => {
    expect(feed(guard(300), 'agi_network: yes\n', 'x'.repeat(301))).toBe('line-too-long');
    expect(feed(guard(300), 'agi_network: yes\n', ...Array.from({ length: 40 }, () => 'x'.repeat(10)))).toBe('line-too-long');
    expect(feed(guard(300), `agi_a: ${'x'.repeat(400)}\nagi_b: 1\n`)).toBe('line-too-long'); // a long line in the middle of a chunk
    expect(feed(guard(300), `agi_a: ${'x'.repeat(290)}\n`, `agi_b: ${'x'.repeat(290)}\n`)).toBeUndefined();
  });

  it('stops an environment larger than maxEnvBytes, then counts no more once it ended', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `agi_x${i}: ${'v'.repeat(20)}\n`).join('');
    expect(feed(guard(8192, 1024), lines(100))).toBe('env-too-large');
    const g = guard(8192, 1024);
    expect(feed(g, lines(10), '\n', lines(100))).toBeUndefined();
  });

  it.each([
    ['an HTTP request', 'GET / HTTP/1.1\r\n'],
    ['a TLS hello', '\x16\x03\x01'],
    ['an empty line', '\n'],
    ['agi_ misspelt, one byte at a time', 'a', 'g', 'x'],
  ])('spots %s at its first bytes', (_, ...chunks) => {
    expect(feed(guard(), ...chunks)).toBe('garbage');
  });
});

describe('client allowlist', () => {
  const allowed = createAllowList(['127.0.0.0/8', '::1/128', '10.20.0.0/16', '192.0.2.7', 'fd00::/8']);

  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true], // IPv4 client of a dual-stack listener
    ['::ffff:10.20.3.4', true],
    ['10.20.255.255', true],
    ['192.0.2.7', true],
    ['fd12:3456::1', true],
    ['10.21.0.1', false],
    ['192.0.2.8', false],
    ['::ffff:192.0.2.8', false],
    ['2001:db8::1', false],
    ['', false],
    ['not-an-ip', false],
  ])('%j -> %s', (address, expected) => {
    expect(allowed(address)).toBe(expected);
  });

  it('allows nobody when the list is empty', () => {
    expect(createAllowList([])('127.0.0.1')).toBe(false);
  });

  it.each(['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/x', '10.0.0.0/8/8', '300.1.1.1'])('refuses the entry %j with a ConfigError', (entry) => {
    expect(() => createAllowList([entry])).toThrow(ConfigError);
  });
});
