// On a Node too old to run .ts files, `npm start`, `npm test` and `npx
// agentgate` say which Node is needed in one line and exit non-zero, instead
// of dying with ERR_UNKNOWN_FILE_EXTENSION.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript on purpose (it must parse on any Node), no types.
import { tooOld } from '../../bin/require-node.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A Node older than 22.18 on this machine (Debian's /usr/bin/node is 20 here), if any. */
function oldNode(): string | undefined {
  for (const bin of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const v = execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (tooOld(v)) return bin;
    } catch {
      // not there
    }
  }
  return undefined;
}

describe('the Node version check', () => {
  it('names the version needed for anything before 22.18, and lets 22.18 and later through', () => {
    expect(tooOld('20.20.2')).toMatch(/needs Node\.js 22\.18 or newer .*this is v20\.20\.2\. Install Node 24/);
    expect(tooOld('22.17.9')).toBeDefined();
    expect(tooOld('22.18.0')).toBeUndefined();
    expect(tooOld('24.22.3')).toBeUndefined();
    expect(tooOld(process.versions.node)).toBeUndefined();
  });

  const old = oldNode();
  it.skipIf(!old)('an old Node running the service, the CLI or the tests gets one clear line and exit 1', () => {
    for (const args of [['--import', './bin/require-node.mjs', 'lib/main.ts'], ['bin/agentgate.mjs', '--help'], ['bin/require-node.mjs']]) {
      const r = spawnSync(old!, args, { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/needs Node\.js 22\.18 or newer/);
      expect(r.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
    }
  });
});
