// `npm run test:asterisk`: the shipped dialplan in a real, private Asterisk.
// Without an Asterisk it says so in one line and exits 0, so a fresh machine
// stays green; otherwise it runs vitest with vitest.asterisk.config.ts
// (arguments are passed on: a file name, -t <name>, ...).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findAsteriskBinary } from './support/binary.ts';

let bin: string | undefined;
try {
  bin = findAsteriskBinary();
} catch (err) {
  process.stderr.write(`test:asterisk: ${(err as Error).message}\n`);
  process.exit(1);
}
if (!bin) {
  process.stdout.write('test:asterisk: skipped, no asterisk on PATH (put its directory on PATH, e.g. PATH=$PATH:/usr/sbin, or set ASTERISK_BIN)\n');
  process.exit(0);
}
const root = path.resolve(import.meta.dirname, '../..');
const vitest = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--config', path.join(root, 'vitest.asterisk.config.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, ASTERISK_BIN: bin },
});
process.exit(run.status ?? 1);
