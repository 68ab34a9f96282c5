// The plain asterisk-manager 0.2.0, to compare the patched one with in the same
// run. Never committed: made at run time in a temporary directory, by copying
// the installed package and reversing patches/asterisk-manager+0.2.0.patch, or
// failing that by `npm pack asterisk-manager@0.2.0`. Checked to carry none of
// the patch's marks before it is used.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PristineCopy {
  /** Directory to require(): holds index.js and lib/ami.js. */
  dir: string;
  how: 'reverse patch' | 'npm pack';
  remove(): void;
}

function isPristine(dir: string): boolean {
  const ami = path.join(dir, 'lib', 'ami.js');
  if (!existsSync(ami)) return false;
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version === '0.2.0' && !readFileSync(ami, 'utf8').includes('agentgate patch');
}

export function preparePristineAsteriskManager(root: string): PristineCopy {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'agentgate-bench-am-'));
  const remove = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const dir = path.join(tmp, 'node_modules', 'asterisk-manager');
    cpSync(path.join(root, 'node_modules', 'asterisk-manager'), dir, { recursive: true });
    execFileSync('patch', ['-R', '-p1', '-s', '-d', tmp], {
      input: readFileSync(path.join(root, 'patches', 'asterisk-manager+0.2.0.patch')),
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    if (isPristine(dir)) return { dir, how: 'reverse patch', remove };
  } catch {
    // no `patch`, or the installed copy differs from patched 0.2.0: try the registry
  }
  try {
    const packDir = path.join(tmp, 'pack');
    execFileSync('npm', ['pack', 'asterisk-manager@0.2.0', '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'ignore'] });
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    mkdirSync(packDir);
    execFileSync('tar', ['xzf', path.join(tmp, tarball), '-C', packDir]);
    const dir = path.join(packDir, 'package');
    if (isPristine(dir)) return { dir, how: 'npm pack', remove };
    throw new Error('the packed asterisk-manager is not 0.2.0');
  } catch (err) {
    remove();
    throw new Error(`could not get a plain asterisk-manager 0.2.0 (reverse patch and npm pack both failed): ${(err as Error).message}`);
  }
}
