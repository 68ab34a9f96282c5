// Where the Asterisk under test lives: ASTERISK_BIN names a binary (a user's
// own build or version), otherwise the first `asterisk` on PATH. Its modules
// and prompts are found beside it, or named with ASTERISK_MODDIR /
// ASTERISK_DATADIR.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface AsteriskInstall {
  bin: string;
  moddir: string;
  /** astdatadir holding sounds/en/ with the prompts; undefined when none was found. */
  datadir: string | undefined;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findAsteriskBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ASTERISK_BIN) {
    if (!executable(env.ASTERISK_BIN)) throw new Error(`ASTERISK_BIN=${env.ASTERISK_BIN} is not an executable file`);
    return path.resolve(env.ASTERISK_BIN);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, 'asterisk');
    if (executable(p)) return p;
  }
  return undefined;
}

export function findInstall(env: NodeJS.ProcessEnv = process.env): AsteriskInstall | undefined {
  const bin = findAsteriskBinary(env);
  if (!bin) return undefined;
  const prefix = path.dirname(path.dirname(bin));
  const moddirs = [env.ASTERISK_MODDIR, `${prefix}/lib/asterisk/modules`, `${prefix}/lib64/asterisk/modules`,
    '/usr/lib/x86_64-linux-gnu/asterisk/modules', '/usr/lib/aarch64-linux-gnu/asterisk/modules', '/usr/lib/asterisk/modules', '/usr/lib64/asterisk/modules'];
  const moddir = moddirs.find((d) => d && existsSync(path.join(d, 'app_queue.so')));
  if (!moddir) throw new Error(`found ${bin} but no module directory with app_queue.so; set ASTERISK_MODDIR`);
  const datadirs = [env.ASTERISK_DATADIR, `${prefix}/var/lib/asterisk`, '/var/lib/asterisk', `${prefix}/share/asterisk`, '/usr/share/asterisk'];
  const datadir = datadirs.find((d) => d && hasPrompts(d));
  return { bin, moddir, datadir };
}

function hasPrompts(datadir: string): boolean {
  try {
    return readdirSync(path.join(datadir, 'sounds', 'en')).some((f) => f.startsWith('agent-user.'));
  } catch {
    return false;
  }
}
